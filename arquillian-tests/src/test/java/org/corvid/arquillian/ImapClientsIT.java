package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.util.Properties;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Independent IMAP clients (Jakarta Mail / Angus, Python's imaplib) logging in to the deployed EAR. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ImapClientsIT {

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return TestServer.ear();
    }

    private static Store store(boolean starttls) throws Exception {
        Properties p = new Properties();
        p.setProperty("mail.imap.connectiontimeout", "10000");
        p.setProperty("mail.imap.timeout", "10000");
        if (starttls) {
            p.setProperty("mail.imap.starttls.enable", "true");
            p.setProperty("mail.imap.starttls.required", "true");
            p.setProperty("mail.imap.ssl.trust", "*");
            p.setProperty("mail.imap.ssl.checkserveridentity", "false");
        }
        return Session.getInstance(p).getStore("imap");
    }

    @Test
    void jakartaMailLogsInAndOut() throws Exception {
        Store store = store(false);
        store.connect(TestServer.HOST, TestServer.IMAP, "alice", "alice");
        assertTrue(store.isConnected());
        store.close();
        assertTrue(!store.isConnected());
    }

    /**
     * A mail client's round trip: Jakarta Mail creates a folder, appends a message, then reads it back through
     * ENVELOPE (subject, addresses), BODYSTRUCTURE and the text, sets a flag, searches, and deletes the folder.
     */
    @Test
    void jakartaMailCreatesAppendsReadsSearchesAndDeletes() throws Exception {
        Store store = store(false);
        store.connect(TestServer.HOST, TestServer.IMAP, "alice", "alice");
        jakarta.mail.Folder folder = store.getFolder("INBOX.jakarta");
        if (folder.exists()) {
            folder.delete(true);
        }
        assertTrue(folder.create(jakarta.mail.Folder.HOLDS_MESSAGES));
        jakarta.mail.internet.MimeMessage m = new jakarta.mail.internet.MimeMessage((Session) null);
        m.setFrom(new jakarta.mail.internet.InternetAddress("carol@example.org", "Carol Example"));
        m.setRecipients(jakarta.mail.Message.RecipientType.TO, "alice@example.org, bob@example.org");
        m.setSubject("Quarterly numbers");
        m.setText("Line one\nLine two\n");
        jakarta.mail.internet.MimeMessage multi = new jakarta.mail.internet.MimeMessage((Session) null);
        multi.setSubject("with attachment");
        jakarta.mail.internet.MimeMultipart parts = new jakarta.mail.internet.MimeMultipart();
        jakarta.mail.internet.MimeBodyPart text = new jakarta.mail.internet.MimeBodyPart();
        text.setText("see attached");
        jakarta.mail.internet.MimeBodyPart attachment = new jakarta.mail.internet.MimeBodyPart();
        byte[] pdf = {0x25, 0x50, 0x44, 0x46, 0x00, (byte) 0xff, 0x10};
        attachment.setContent(pdf, "application/pdf");
        attachment.setFileName("a.pdf");
        attachment.setHeader("Content-Transfer-Encoding", "base64");
        parts.addBodyPart(text);
        parts.addBodyPart(attachment);
        multi.setContent(parts);
        multi.saveChanges();
        folder.appendMessages(new jakarta.mail.Message[] {m, multi});

        folder.open(jakarta.mail.Folder.READ_WRITE);
        assertEquals(2, folder.getMessageCount());
        jakarta.mail.Multipart read = (jakarta.mail.Multipart) folder.getMessage(2).getContent();
        assertEquals(2, read.getCount(), "BODYSTRUCTURE gives the parts");
        assertEquals("see attached", read.getBodyPart(0).getContent());
        assertEquals("a.pdf", read.getBodyPart(1).getFileName());
        assertTrue(java.util.Arrays.equals(pdf, read.getBodyPart(1).getInputStream().readAllBytes()),
                "BODY[2] fetched and decoded");
        jakarta.mail.Message got = folder.getMessage(1);
        assertEquals("Quarterly numbers", got.getSubject());
        assertEquals("Carol Example <carol@example.org>", got.getFrom()[0].toString());
        assertEquals(2, got.getRecipients(jakarta.mail.Message.RecipientType.TO).length);
        assertTrue(got.isMimeType("text/plain"));
        assertEquals("Line one\r\nLine two\r\n", got.getContent().toString().replace("\r\n", "\n").replace("\n", "\r\n"));
        got.setFlag(jakarta.mail.Flags.Flag.FLAGGED, true);
        assertEquals(1, folder.search(new jakarta.mail.search.SubjectTerm("quarterly")).length);
        assertEquals(1, folder.search(new jakarta.mail.search.FlagTerm(new jakarta.mail.Flags(jakarta.mail.Flags.Flag.FLAGGED), true)).length);
        folder.close(false);
        assertTrue(folder.delete(false));
        store.close();
    }

    @Test
    void jakartaMailLogsInOverStartTls() throws Exception {
        Store store = store(true);
        store.connect(TestServer.HOST, TestServer.IMAP, "bob", "bob");
        assertTrue(store.isConnected());
        store.close();
    }

    @Test
    void jakartaMailWrongPasswordIsRefused() throws Exception {
        Store store = store(false);
        assertThrows(AuthenticationFailedException.class,
                () -> store.connect(TestServer.HOST, TestServer.IMAP, "alice", "not-alice"));
    }

    @Test
    void pythonImaplibLogsInWithStartTls() throws Exception {
        String script = String.join("\n",
                "import imaplib, ssl, sys",
                "h, p = sys.argv[1], int(sys.argv[2])",
                "m = imaplib.IMAP4(h, p)",
                "print('caps', ' '.join(m.capabilities))",
                "ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE",
                "m.starttls(ssl_context=ctx)",
                "typ, data = m.login('alice', 'alice')",
                "print('login', typ, data[0].decode())",
                "typ, data = m.noop()",
                "print('noop', typ)",
                "try:",
                "    imaplib.IMAP4(h, p).login('alice', 'wrong')",
                "    print('wrong-password accepted')",
                "except imaplib.IMAP4.error as e:",
                "    print('wrong-password refused', e)",
                "print('logout', m.logout()[0])");
        String out = Python.run("the imaplib interoperability test", script, TestServer.HOST, String.valueOf(TestServer.IMAP));
        assertTrue(out.contains("caps IMAP4REV1 LITERAL+ ID ENABLE NAMESPACE SASL-IR STARTTLS AUTH=PLAIN"), out);
        assertTrue(out.contains("login OK"), out);
        assertTrue(out.contains("noop OK"), out);
        assertTrue(out.contains("wrong-password refused"), out);
        assertTrue(out.contains("logout BYE"), out);
    }
}
