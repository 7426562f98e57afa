package io.breakwater.testing;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

/** Servlets that tests write as lambdas, mapped async-capable on a real Jetty context. Stateless. */
public final class TestServlets {
    /** What a test's servlet does with a request. */
    public interface Handler {
        void handle(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException;
    }

    private TestServlets() {
    }

    /** Maps {@code handler} at {@code pattern}, async supported. */
    public static void route(ServletContextHandler context, String pattern, Handler handler) {
        ServletHolder holder = new ServletHolder(new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(HttpServletRequest request, HttpServletResponse response)
                    throws IOException, ServletException {
                handler.handle(request, response);
            }
        });
        holder.setAsyncSupported(true);
        context.addServlet(holder, pattern);
    }
}
