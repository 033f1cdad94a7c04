package org.corvid.jca.impl.codec;

/** A message read after {@link SessionDecoder#expectMessage}: its bytes, or none if it was over the limit. */
public record MessageData(byte[] data, boolean tooBig) {
}
