package org.corvid.ejb.cluster;

import jakarta.ejb.ApplicationException;

/** A write of a node that is not the MUPDATE master (any more): its transaction rolls back. */
@ApplicationException(rollback = true)
public class StaleMasterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StaleMasterException(String node, long epoch) {
        super(epoch < 0 ? node + " is not the MUPDATE master"
                : node + " no longer holds the master lease at epoch " + epoch + ": another node is master");
    }
}
