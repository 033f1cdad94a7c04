package org.corvid.jca.api.mupdate;

import java.util.List;

/** One write to the master's list, for {@link MupdateConnection#writeAll}: a MUPDATE command and its arguments. */
public record MupdateWrite(String keyword, List<String> args) {
    public static MupdateWrite activate(String name, String location, String acl) {
        return new MupdateWrite("ACTIVATE", List.of(name, location, acl));
    }

    public static MupdateWrite delete(String name) {
        return new MupdateWrite("DELETE", List.of(name));
    }
}
