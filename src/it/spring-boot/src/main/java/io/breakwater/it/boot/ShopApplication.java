package io.breakwater.it.boot;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A small Spring Boot app with Breakwater's starter and nothing else of Breakwater's: its configuration is
 * {@code application.yml}, its routes are its controllers' mappings.
 */
@SpringBootApplication
public class ShopApplication {

    public static void main(String[] args) {
        SpringApplication.run(ShopApplication.class, args);
    }

    /** The shop's endpoints: an order that may fail, a greeting, and a handler that hangs. */
    @RestController
    static class Orders {
        @GetMapping("/orders/{id}")
        String order(@PathVariable String id) {
            if (id.startsWith("fail")) {
                throw new IllegalStateException("order store down");
            }
            return "order " + id;
        }

        @GetMapping("/orders/new")
        String newOrder() {
            return "new order";
        }

        @GetMapping("/hello")
        String hello() {
            return "hello";
        }

        @GetMapping("/slow")
        String slow() throws InterruptedException {
            // hangs until the deadline interrupts it
            new CountDownLatch(1).await(30, TimeUnit.SECONDS);
            return "late";
        }
    }
}
