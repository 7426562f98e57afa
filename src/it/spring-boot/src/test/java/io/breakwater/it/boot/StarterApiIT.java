package io.breakwater.it.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.spring.BreakwaterAutoConfiguration;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** README's Public API row of the starter is the starter jar's: every public type outside {@code internal}. */
class StarterApiIT {

    @Test
    void readmeNamesEveryPublicTypeOfTheStarterOutsideInternal() throws Exception {
        Path location = Path.of(BreakwaterAutoConfiguration.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI());
        List<String> paths;
        if (Files.isDirectory(location)) {
            try (Stream<Path> files = Files.walk(location)) {
                paths = files.map(p -> location.relativize(p).toString().replace('\\', '/')).toList();
            }
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                paths = jar.stream().map(JarEntry::getName).toList();
            }
        }
        TreeSet<String> inJar = new TreeSet<>();
        for (String path : paths) {
            if (path.startsWith("io/breakwater/") && path.endsWith(".class") && !path.contains("/internal/")
                    && !path.contains("$") && !path.endsWith("package-info.class")) {
                String name = path.substring(0, path.length() - ".class".length()).replace('/', '.');
                if (Modifier.isPublic(Class.forName(name, false, getClass().getClassLoader()).getModifiers())) {
                    inJar.add(name);
                }
            }
        }
        assertEquals(readmeRow(), inJar, "the starter's public types vs README.md's Public API");
    }

    private static TreeSet<String> readmeRow() throws Exception {
        TreeSet<String> names = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of(System.getProperty("readme", "../../../README.md")))) {
            if (line.startsWith("| `io.breakwater.spring` |")) {
                for (String type : line.split("\\|")[2].split(",")) {
                    names.add("io.breakwater.spring." + type.trim().replace("`", ""));
                }
            }
        }
        assertTrue(!names.isEmpty(), "README.md's Public API has the starter's row");
        return names;
    }
}
