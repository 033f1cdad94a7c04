package org.corvid.web.console;

import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.context.ExternalContext;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Named;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;

/** The logged-in administrator, and logging out. */
@Named("consoleSession")
@RequestScoped
public class ConsoleSession {
    public String getUser() {
        return FacesContext.getCurrentInstance().getExternalContext().getRemoteUser();
    }

    public void logout() throws ServletException, IOException {
        ExternalContext ext = FacesContext.getCurrentInstance().getExternalContext();
        ((HttpServletRequest) ext.getRequest()).logout();
        ext.invalidateSession();
        ext.redirect(ext.getRequestContextPath() + "/admin/");
    }
}
