package io.breakwater.it.boot;

import io.breakwater.it.containers.OnJetty;

/** The starter's contract on embedded Jetty. */
class JettyStarterIT extends StarterContract {
    @Override
    Class<?> container() {
        return OnJetty.class;
    }

    @Override
    String serverName() {
        return "JettyServletWebServer";
    }
}
