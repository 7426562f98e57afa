package io.breakwater.bench;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.MappingMatch;
import jakarta.servlet.http.Part;
import java.security.Principal;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;

/**
 * A minimal {@code GET /hello} for the chain microbenchmark: only what a filter reads on the happy path works; the
 * rest throws, so a filter that needs more (async, a body) fails loudly and is measured through
 * {@link ContainerChainBenchmark} instead. Reused per thread after {@link #clear()}; not thread-safe.
 */
public final class StubRequest extends StubServletRequest implements HttpServletRequest {
    private static final HttpServletMapping MAPPING = new HttpServletMapping() {
        @Override
        public String getMatchValue() {
            return "hello";
        }

        @Override
        public String getPattern() {
            return "/hello";
        }

        @Override
        public String getServletName() {
            return "hello";
        }

        @Override
        public MappingMatch getMappingMatch() {
            return MappingMatch.EXACT;
        }
    };

    public StubRequest(ServletContext context) {
        super(context);
    }

    @Override
    public String getAuthType() {
        return null;
    }

    @Override
    public Cookie[] getCookies() {
        return null;
    }

    @Override
    public long getDateHeader(String name) {
        return -1;
    }

    @Override
    public String getHeader(String name) {
        return null;
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        return Collections.emptyEnumeration();
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        return Collections.emptyEnumeration();
    }

    @Override
    public int getIntHeader(String name) {
        return -1;
    }

    @Override
    public HttpServletMapping getHttpServletMapping() {
        return MAPPING;
    }

    @Override
    public String getMethod() {
        return "GET";
    }

    @Override
    public String getPathInfo() {
        return null;
    }

    @Override
    public String getPathTranslated() {
        return null;
    }

    @Override
    public String getContextPath() {
        return "";
    }

    @Override
    public String getQueryString() {
        return null;
    }

    @Override
    public String getRemoteUser() {
        return null;
    }

    @Override
    public boolean isUserInRole(String role) {
        return false;
    }

    @Override
    public Principal getUserPrincipal() {
        return null;
    }

    @Override
    public String getRequestedSessionId() {
        return null;
    }

    @Override
    public String getRequestURI() {
        return "/hello";
    }

    @Override
    public StringBuffer getRequestURL() {
        return new StringBuffer("http://127.0.0.1:8080/hello");
    }

    @Override
    public String getServletPath() {
        return "/hello";
    }

    @Override
    public HttpSession getSession(boolean create) {
        if (create) {
            throw notStubbed("getSession");
        }
        return null;
    }

    @Override
    public HttpSession getSession() {
        throw notStubbed("getSession");
    }

    @Override
    public String changeSessionId() {
        throw notStubbed("changeSessionId");
    }

    @Override
    public boolean isRequestedSessionIdValid() {
        return false;
    }

    @Override
    public boolean isRequestedSessionIdFromCookie() {
        return false;
    }

    @Override
    public boolean isRequestedSessionIdFromURL() {
        return false;
    }

    @Override
    public boolean authenticate(HttpServletResponse response) {
        throw notStubbed("authenticate");
    }

    @Override
    public void login(String username, String password) {
        throw notStubbed("login");
    }

    @Override
    public void logout() {
        throw notStubbed("logout");
    }

    @Override
    public Collection<Part> getParts() {
        throw notStubbed("getParts");
    }

    @Override
    public Part getPart(String name) {
        throw notStubbed("getPart");
    }

    @Override
    public <T extends HttpUpgradeHandler> T upgrade(Class<T> handlerClass) {
        throw notStubbed("upgrade");
    }
}
