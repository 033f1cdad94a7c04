package org.corvid.ejb.mupdate;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.EJB;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import java.util.List;
import org.corvid.ejb.cluster.MasterRole;
import org.corvid.ejb.mupdate.MupdateService.Write;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;

/**
 * Nothing stays RESERVED forever: once a minute the master removes the reservations older than
 * {@code corvid.mupdate.reservation-expiry-seconds} (default an hour; a CREATE holds one for milliseconds, a
 * move's final phase for seconds), whose creator vanished between RESERVE and ACTIVATE, each with an audit line.
 * It goes through the writer like any write (fenced in a cluster), and only if the entry is still that old
 * reservation when the write applies. A backend that comes back with the mailbox after all pushes it again at
 * its start (resync).
 */
@Singleton
@PermitAll
@SecurityDomain("corvid")
public class ReservationExpiry {
    private static final Logger LOG = Logger.getLogger(ReservationExpiry.class);
    private static final int PER_RUN = 1000;

    @EJB
    private MasterRole master;

    @EJB
    private MupdateService list;

    @EJB
    private MupdateWriter writer;

    @Schedule(hour = "*", minute = "*", second = "17", persistent = false)
    void expire() {
        if (!master.active()) {
            return;
        }
        List<String> expired = list.expiredReservations(PER_RUN);
        for (String name : expired) {
            MupdateRecord r = list.lookup(name);
            writer.submit(new Write(Write.Kind.EXPIRE, name, null, ""), (outcome, failure) -> {
                if (failure == null && outcome == MupdateService.Outcome.DONE) {
                    LOG.warnf("AUDIT reservation of %s at %s expired (RESERVED for more than %d s, never activated):"
                            + " removed from the mailbox list", name, r == null ? "?" : r.location(),
                            MupdateService.reservationExpiry().toSeconds());
                }
            });
        }
    }
}
