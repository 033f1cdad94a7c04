package org.corvid.jca.impl.codec;

/**
 * A message read after {@link SessionDecoder#expectMessage}: its bytes, or none if it was over the limit, or
 * (above {@link SpoolFiles#threshold()}) the temporary file that holds it.
 */
public record MessageData(byte[] data, boolean tooBig, java.nio.file.Path file) {
}
