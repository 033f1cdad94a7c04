package org.corvid.arquillian;

import java.io.File;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;

/** Where the test server listens (default ports shifted by the test port offset) and the EAR it runs. */
public final class TestServer {
    public static final String HOST = "127.0.0.1";
    public static final int OFFSET = Integer.getInteger("corvid.test.port.offset", 9000);
    public static final int IMAP = 1143 + OFFSET;
    public static final int IMAPS = 1993 + OFFSET;
    public static final int POP3 = 1110 + OFFSET;
    public static final int LMTP = 2424 + OFFSET;
    public static final int MUPDATE = 3905 + OFFSET;
    public static final int HTTP = 8080 + OFFSET;

    private TestServer() {
    }

    /** The real EAR the build produced, under its fixed name corvid.ear. */
    public static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class,
                new File(System.getProperty("corvid.test.ear", "target/corvid.ear")));
    }
}
