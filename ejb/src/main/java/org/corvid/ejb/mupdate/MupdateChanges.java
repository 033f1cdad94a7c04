package org.corvid.ejb.mupdate;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.corvid.ejb.location.LocationCache;
import org.jboss.ejb3.annotation.SecurityDomain;

/** Fans committed list changes out to the location cache and this node's UPDATE subscribers. */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@PermitAll
@SecurityDomain("corvid")
public class MupdateChanges {
    private final Set<UpdateStream> streams = ConcurrentHashMap.newKeySet();

    @EJB
    private LocationCache locations;

    public void subscribe(UpdateStream stream) {
        streams.add(stream);
    }

    public void unsubscribe(UpdateStream stream) {
        streams.remove(stream);
    }

    /** Called after commit only (see {@link MupdateService}). */
    public void publish(MupdateChange change) {
        publishAll(java.util.List.of(change));
    }

    /** A committed batch, in order: the cache first (in a cluster, one round trip for the batch), then the streams. */
    public void publishAll(java.util.List<MupdateChange> batch) {
        try {
            locations.applyAll(batch);
        } finally {
            stream(batch); // subscribers get the change even if the cache could not take it
        }
    }

    private void stream(java.util.List<MupdateChange> changes) {
        for (UpdateStream s : streams) {
            if (s.closed()) {
                streams.remove(s);
            } else {
                s.offerAll(changes);
            }
        }
    }

    /** Each UPDATE subscriber connected now, with its lag (bytes not yet taken, changes held during its dump). */
    public java.util.List<UpdateStream.Status> streams() {
        streams.removeIf(UpdateStream::closed);
        return streams.stream().map(UpdateStream::status).toList();
    }

    /** UPDATE subscribers connected now. */
    public int streamingClients() {
        streams.removeIf(UpdateStream::closed);
        return streams.size();
    }
}
