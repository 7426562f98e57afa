package io.breakwater.it.boot;

import io.breakwater.it.containers.OnTomcat;

/** The starter's contract on embedded Tomcat, Spring Boot's default container. */
class TomcatStarterIT extends StarterContract {
    @Override
    Class<?> container() {
        return OnTomcat.class;
    }

    @Override
    String serverName() {
        return "TomcatWebServer";
    }
}
