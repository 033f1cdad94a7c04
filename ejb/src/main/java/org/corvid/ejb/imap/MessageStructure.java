package org.corvid.ejb.imap;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.dom.address.Address;
import org.apache.james.mime4j.dom.address.AddressList;
import org.apache.james.mime4j.dom.address.Group;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.LenientAddressParser;
import org.apache.james.mime4j.message.DefaultBodyDescriptorBuilder;
import org.apache.james.mime4j.message.MaximalBodyDescriptor;
import org.apache.james.mime4j.parser.AbstractContentHandler;
import org.apache.james.mime4j.parser.MimeStreamParser;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.MimeConfig;
import org.corvid.ejb.backend.MessageStore;

/**
 * ENVELOPE, BODYSTRUCTURE and BODY (RFC 9051 7.5.2) of a message, computed with Apache mime4j's streaming
 * parser. Header values are given raw (encoded words are left for the client), as the RFC asks.
 */
final class MessageStructure {
    private MessageStructure() {
    }

    /** One MIME entity: its descriptor, its parts (multipart) or encapsulated message (message/rfc822). */
    private static final class Part {
        MaximalBodyDescriptor descriptor;
        final List<Part> parts = new ArrayList<>();
        byte[] rawMessage; // message/rfc822
        long size;
        long lines;
    }

    /** {@code ENVELOPE (...)}. */
    static String envelope(byte[] message) {
        StringBuilder b = new StringBuilder("(");
        b.append(nstring(header(message, "Date"))).append(' ');
        b.append(nstring(header(message, "Subject"))).append(' ');
        String from = addresses(header(message, "From"));
        String sender = addresses(header(message, "Sender"));
        String replyTo = addresses(header(message, "Reply-To"));
        b.append(from).append(' ');
        b.append(sender.equals("NIL") ? from : sender).append(' ');
        b.append(replyTo.equals("NIL") ? from : replyTo).append(' ');
        b.append(addresses(header(message, "To"))).append(' ');
        b.append(addresses(header(message, "Cc"))).append(' ');
        b.append(addresses(header(message, "Bcc"))).append(' ');
        b.append(nstring(header(message, "In-Reply-To"))).append(' ');
        b.append(nstring(header(message, "Message-ID")));
        return b.append(')').toString();
    }

    /** {@code BODYSTRUCTURE} ({@code extended}) or {@code BODY} of the message. */
    static String bodystructure(byte[] message, boolean extended) {
        return bodystructure(new ByteArrayInputStream(message), extended);
    }

    /** BODYSTRUCTURE (or BODY) of the message read from {@code message}, part by part: never held whole. */
    static String bodystructure(InputStream message, boolean extended) {
        return render(parse(message), extended);
    }

    private static Part parse(byte[] message) {
        return parse(new ByteArrayInputStream(message));
    }

    private static Part parse(InputStream message) {
        Deque<Part> open = new ArrayDeque<>();
        Part[] root = new Part[1];
        MimeStreamParser parser = new MimeStreamParser(MimeConfig.PERMISSIVE, DecodeMonitor.SILENT,
                new DefaultBodyDescriptorBuilder());
        parser.setContentHandler(new AbstractContentHandler() {
            @Override
            public void startMessage() {
                if (root[0] == null) {
                    root[0] = new Part();
                    open.push(root[0]);
                }
            }

            @Override
            public void startBodyPart() {
                Part p = new Part();
                open.peek().parts.add(p);
                open.push(p);
            }

            @Override
            public void endBodyPart() {
                open.pop();
            }

            @Override
            public void startMultipart(BodyDescriptor bd) {
                open.peek().descriptor = (MaximalBodyDescriptor) bd;
            }

            @Override
            public void body(BodyDescriptor bd, InputStream in) throws IOException {
                Part p = open.peek();
                p.descriptor = (MaximalBodyDescriptor) bd;
                boolean nested = "message/rfc822".equalsIgnoreCase(bd.getMimeType());
                java.io.ByteArrayOutputStream kept = nested ? new java.io.ByteArrayOutputStream() : null;
                byte[] buffer = new byte[8192];
                byte last = '\n';
                for (int n; (n = in.read(buffer)) > 0; ) { // counted as it streams by: a large part is not kept
                    p.size += n;
                    for (int i = 0; i < n; i++) {
                        if (buffer[i] == '\n') {
                            p.lines++;
                        }
                    }
                    last = buffer[n - 1];
                    if (kept != null) {
                        kept.write(buffer, 0, n);
                    }
                }
                if (p.size > 0 && last != '\n') {
                    p.lines++;
                }
                if (nested) {
                    p.rawMessage = kept.toByteArray();
                }
            }
        });
        try {
            parser.parse(message);
        } catch (MimeException e) {
            // permissive: whatever was parsed stands
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return root[0] == null ? new Part() : root[0];
    }

    private static String render(Part p, boolean extended) {
        MaximalBodyDescriptor d = p.descriptor;
        String type = d == null ? "text" : d.getMediaType();
        String subtype = d == null ? "plain" : d.getSubType();
        if (d != null && "multipart".equalsIgnoreCase(type) && !p.parts.isEmpty()) {
            StringBuilder b = new StringBuilder("(");
            for (Part child : p.parts) {
                b.append(render(child, extended));
            }
            b.append(' ').append(quoted(subtype.toUpperCase(Locale.ROOT)));
            if (extended) {
                b.append(' ').append(params(d.getContentTypeParameters())).append(' ').append(disposition(d))
                        .append(' ').append(language(d)).append(' ').append(nstring(d.getContentLocation()));
            }
            return b.append(')').toString();
        }
        StringBuilder b = new StringBuilder("(");
        b.append(quoted(type.toUpperCase(Locale.ROOT))).append(' ').append(quoted(subtype.toUpperCase(Locale.ROOT)));
        Map<String, String> params = d == null ? Map.of("charset", "us-ascii") : d.getContentTypeParameters();
        if (d != null && "text".equalsIgnoreCase(type) && !params.containsKey("charset")) {
            params = new java.util.LinkedHashMap<>(params);
            params.put("charset", "us-ascii");
        }
        b.append(' ').append(params(params));
        b.append(' ').append(nstring(d == null ? null : d.getContentId()));
        b.append(' ').append(nstring(d == null ? null : d.getContentDescription()));
        b.append(' ').append(quoted(d == null ? "7BIT" : d.getTransferEncoding().toUpperCase(Locale.ROOT)));
        b.append(' ').append(p.size);
        if (p.rawMessage != null) {
            b.append(' ').append(envelope(p.rawMessage)).append(' ').append(render(parse(p.rawMessage), extended))
                    .append(' ').append(p.lines);
        } else if ("text".equalsIgnoreCase(type)) {
            b.append(' ').append(p.lines);
        }
        if (extended) {
            b.append(' ').append(nstring(d == null ? null : d.getContentMD5Raw())).append(' ')
                    .append(d == null ? "NIL" : disposition(d)).append(' ').append(d == null ? "NIL" : language(d))
                    .append(' ').append(nstring(d == null ? null : d.getContentLocation()));
        }
        return b.append(')').toString();
    }

    private static String params(Map<String, String> params) {
        if (params == null || params.isEmpty()) {
            return "NIL";
        }
        StringBuilder b = new StringBuilder("(");
        params.forEach((k, v) -> b.append(b.length() > 1 ? " " : "").append(quoted(k.toUpperCase(Locale.ROOT)))
                .append(' ').append(nstring(v)));
        return b.append(')').toString();
    }

    private static String disposition(MaximalBodyDescriptor d) {
        if (d.getContentDispositionType() == null) {
            return "NIL";
        }
        return "(" + quoted(d.getContentDispositionType().toUpperCase(Locale.ROOT)) + " "
                + params(d.getContentDispositionParameters()) + ")";
    }

    private static String language(MaximalBodyDescriptor d) {
        List<String> l = d.getContentLanguage();
        if (l == null || l.isEmpty()) {
            return "NIL";
        }
        StringBuilder b = new StringBuilder("(");
        l.forEach(x -> b.append(b.length() > 1 ? " " : "").append(quoted(x)));
        return b.append(')').toString();
    }

    /** An address list as {@code ((name adl mailbox host) ...)}, groups as RFC 9051 writes them; or NIL. */
    private static String addresses(String value) {
        if (value == null || value.isBlank()) {
            return "NIL";
        }
        AddressList list = LenientAddressParser.DEFAULT.parseAddressList(value);
        if (list == null || list.isEmpty()) {
            return "NIL";
        }
        StringBuilder b = new StringBuilder("(");
        for (Address a : list) {
            if (a instanceof Mailbox m) {
                b.append(address(m));
            } else if (a instanceof Group g) {
                b.append("(NIL NIL ").append(nstring(g.getName())).append(" NIL)");
                g.getMailboxes().forEach(m -> b.append(address(m)));
                b.append("(NIL NIL NIL NIL)");
            }
        }
        return b.length() == 1 ? "NIL" : b.append(')').toString();
    }

    private static String address(Mailbox m) {
        return "(" + nstring(m.getName()) + " NIL " + nstring(m.getLocalPart()) + " " + nstring(m.getDomain()) + ")";
    }

    /** The first header field {@code name}, unfolded, raw; or null. */
    static String header(byte[] message, String name) {
        int end = MessageStore.headerEnd(message);
        for (int line = 0; line < end; line = nextLine(message, line, end)) {
            int colon = fieldNameEnd(message, line, end, name);
            if (colon < 0) {
                continue;
            }
            // the value runs on over continuation lines (starting with SP or HTAB); unfolding joins them
            StringBuilder value = new StringBuilder();
            int start = colon + 1;
            int next = nextLine(message, line, end);
            value.append(new String(message, start, next - start, StandardCharsets.UTF_8).stripTrailing());
            while (next < end && (message[next] == ' ' || message[next] == '\t')) {
                int after = nextLine(message, next, end);
                value.append(' ').append(new String(message, next, after - next, StandardCharsets.UTF_8).strip());
                next = after;
            }
            return value.toString().strip();
        }
        return null;
    }

    private static int nextLine(byte[] b, int from, int end) {
        while (from < end && b[from] != '\n') {
            from++;
        }
        return from < end ? from + 1 : end;
    }

    /** The index of the colon if the line at {@code at} is field {@code name} (any case), else -1. */
    private static int fieldNameEnd(byte[] b, int at, int end, String name) {
        int n = name.length();
        if (at + n >= end) {
            return -1;
        }
        for (int i = 0; i < n; i++) {
            int x = b[at + i];
            int y = name.charAt(i);
            if (x != y && Character.toLowerCase(x) != Character.toLowerCase(y)) {
                return -1;
            }
        }
        int i = at + n;
        while (i < end && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
        return i < end && b[i] == ':' ? i : -1;
    }

    /** NIL, a quoted string, or a literal when the text cannot be quoted (CR, LF, 8-bit). */
    static String nstring(String s) {
        if (s == null) {
            return "NIL";
        }
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\r' || ch == '\n' || ch > 0x7e || ch == 0) {
                return "{" + s.getBytes(StandardCharsets.UTF_8).length + "}\r\n" + s;
            }
        }
        return quoted(s);
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
