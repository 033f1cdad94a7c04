package org.corvid.jca.api.mupdate;

/**
 * A master's tagged answer to a write: {@code OK}, {@code NO} or {@code BAD} and its text, as sent
 * (e.g. {@code NO "mailbox already exists"} gives status NO, text {@code mailbox already exists}).
 */
public record MupdateReply(Status status, String text) {
    public enum Status { OK, NO, BAD }

    public boolean ok() {
        return status == Status.OK;
    }

    @Override
    public String toString() {
        return status + " \"" + text + "\"";
    }
}
