package io.breakwater.it;

import java.nio.file.Path;
import java.util.Map;

/** The containers the sample WAR is tested in: the same WAR file, the same web.xml, the same checks. */
enum ServletContainer {
    JETTY {
        @Override
        Deployment deploy(Path war, Map<String, String> contextParams) throws Exception {
            return JettyDeployment.start(war, contextParams);
        }
    },
    TOMCAT {
        @Override
        Deployment deploy(Path war, Map<String, String> contextParams) throws Exception {
            return TomcatDeployment.start(war, contextParams);
        }
    };

    /** Starts a server on 127.0.0.1 and an ephemeral port with the WAR (a file or an exploded folder) at {@code /}. */
    abstract Deployment deploy(Path war, Map<String, String> contextParams) throws Exception;
}
