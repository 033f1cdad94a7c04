package org.corvid.web.console;

import jakarta.ejb.EJB;
import jakarta.faces.application.FacesMessage;
import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.web.api.MoveRequests;

/**
 * The console's move wizard: pick a mailbox (a user's INBOX moves the user) and a destination, confirm, then
 * follow the move's progress bar (the page polls {@code /api/moves/{id}}); and the history of every backend.
 */
@Named
@ViewScoped
public class MoveWizard implements Serializable {
    private static final long serialVersionUID = 1L;

    @Inject
    private MoveRequests moves;

    @EJB
    private NodeConfig node;

    private String mailbox;
    private String server;
    private boolean confirming;
    private String moveId;

    public String getMailbox() {
        return mailbox;
    }

    public void setMailbox(String mailbox) {
        this.mailbox = mailbox == null ? null : mailbox.trim();
    }

    public String getServer() {
        return server;
    }

    public void setServer(String server) {
        this.server = server;
    }

    public boolean isConfirming() {
        return confirming;
    }

    public String getMoveId() {
        return moveId;
    }

    /** The backends a mailbox may move to. */
    public List<String> getBackends() {
        List<String> all = new ArrayList<>(moves.otherBackends());
        if (node.has(NodeConfig.Role.BACKEND)) {
            all.add(0, node.serverName());
        }
        return all;
    }

    /** Step 2: where the mailbox is now, and a confirmation. */
    public void review() {
        if (mailbox == null || mailbox.isEmpty() || server == null || server.isEmpty()) {
            error("Pick a mailbox and a destination");
            return;
        }
        confirming = true;
    }

    public void back() {
        confirming = false;
    }

    /** Step 3: the move starts on its source backend; the page follows it. */
    public void start() {
        String caller = FacesContext.getCurrentInstance().getExternalContext().getRemoteUser();
        MoveRequests.Answer a = moves.start(mailbox, server, null, caller, 0);
        confirming = false;
        if (a.status() / 100 == 2 && a.body() instanceof Map<?, ?> job) {
            moveId = String.valueOf(job.get("id"));
        } else if (a.body() instanceof Map<?, ?> problem) {
            error(problem.get("title") + ": " + problem.get("detail"));
        } else {
            error("The move could not be started (" + a.status() + ")");
        }
    }

    /** Every backend's moves, newest first. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> getHistory() {
        Object body = moves.list(false).body();
        return body instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    private static void error(String text) {
        FacesContext.getCurrentInstance().addMessage(null, new FacesMessage(FacesMessage.SEVERITY_ERROR, text, null));
    }
}
