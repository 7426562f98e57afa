package io.breakwater.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The core is the ground the features stand on: its compiled classes name no class of Breakwater outside it. */
class CoreDependenciesTest {
    private static final Pattern BREAKWATER_CLASS = Pattern.compile("io/breakwater/([a-z]+)/[A-Za-z0-9_/$]+");

    @Test
    void coreClassesReferToNoFeaturePackage() throws IOException, URISyntaxException {
        Path core = Path.of(io.breakwater.core.metric.internal.MetricCatalog.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI()).resolve("io/breakwater/core");
        List<Path> classes;
        try (Stream<Path> files = Files.walk(core)) {
            classes = files.filter(file -> file.toString().endsWith(".class")).collect(Collectors.toList());
        }
        assertTrue(classes.size() >= 6, "found " + classes);
        TreeSet<String> outside = new TreeSet<>();
        for (Path file : classes) {
            // class names in the constant pool are plain ASCII: reading the bytes as Latin-1 finds them
            Matcher reference = BREAKWATER_CLASS.matcher(new String(Files.readAllBytes(file),
                    StandardCharsets.ISO_8859_1));
            while (reference.find()) {
                if (!reference.group(1).equals("core")) {
                    outside.add(core.relativize(file) + " -> " + reference.group());
                }
            }
        }
        assertEquals(new TreeSet<String>(), outside);
    }
}
