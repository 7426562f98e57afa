package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The README's public API is the jars': every public type outside a package named {@code internal}, no more. */
class PublicApiIT {

    @Test
    void readmeNamesEveryPublicTypeOutsideInternalPackages() throws Exception {
        TreeSet<String> inJars = new TreeSet<>();
        for (String name : LibraryClasses.names()) {
            if (name.contains(".internal.") || name.contains("$") || name.endsWith("package-info")) {
                continue;
            }
            Class<?> type = Class.forName(name, false, PublicApiIT.class.getClassLoader());
            if (Modifier.isPublic(type.getModifiers())) {
                inJars.add(name);
            }
        }
        assertEquals(readmeApi(), inJars, "public types outside internal packages vs README.md's Public API");
    }

    private static TreeSet<String> readmeApi() throws Exception {
        List<String> lines = Files.readAllLines(Path.of(System.getProperty("readme", "../../README.md")));
        int start = lines.indexOf("## Public API");
        assertTrue(start >= 0, "README.md has a Public API section");
        TreeSet<String> names = new TreeSet<>();
        for (String line : lines.subList(start, lines.size())) {
            // the starter's row is held by StarterApiIT in src/it/spring-boot, where Spring Boot is on the class path
            if (line.startsWith("| `io.breakwater.") && !line.startsWith("| `io.breakwater.spring` |")) {
                String[] cells = line.split("\\|");
                String pkg = cells[1].trim().replace("`", "");
                for (String type : cells[2].split(",")) {
                    names.add(pkg + "." + type.trim().replace("`", ""));
                }
            } else if (line.startsWith("## ") && !names.isEmpty()) {
                break;
            }
        }
        return names;
    }
}
