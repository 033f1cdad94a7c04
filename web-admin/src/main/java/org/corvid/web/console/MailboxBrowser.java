package org.corvid.web.console;

import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.corvid.ejb.location.LocationCache;
import org.corvid.ejb.mupdate.MupdateRecord;

/** The console's mailbox browser: names by prefix, 25 at a time from the location cache, and one's details. */
@Named
@ViewScoped
public class MailboxBrowser implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int PAGE = 25;

    @EJB
    private LocationCache locations;

    private String prefix = "user.";
    private String after;
    private final Deque<String> before = new ArrayDeque<>();
    private transient LocationCache.Page page;
    private String selected;

    public String getPrefix() {
        return prefix;
    }

    public void setPrefix(String prefix) {
        this.prefix = prefix == null ? "" : prefix.trim();
    }

    public void search() {
        after = null;
        before.clear();
        page = null;
        selected = null;
    }

    public void next() {
        List<MupdateRecord> items = page().items();
        if (page().more() && !items.isEmpty()) {
            before.push(after == null ? "" : after);
            after = items.get(items.size() - 1).name();
            page = null;
        }
    }

    public void previous() {
        if (!before.isEmpty()) {
            String back = before.pop();
            after = back.isEmpty() ? null : back;
            page = null;
        }
    }

    public boolean isFirst() {
        return before.isEmpty();
    }

    public LocationCache.Page page() {
        if (page == null) {
            page = locations.page(prefix, after, PAGE);
        }
        return page;
    }

    public List<MupdateRecord> getItems() {
        return page().items();
    }

    public long getMatching() {
        return page().matching();
    }

    public boolean isMore() {
        return page().more();
    }

    public void select(String name) {
        selected = name;
    }

    public MupdateRecord getDetails() {
        return selected == null ? null : locations.lookup(selected);
    }
}
