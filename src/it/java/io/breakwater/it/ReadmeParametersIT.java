package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.core.config.Parameter;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README's table of parameters is the code's: every Parameter constant, with its default and range. */
class ReadmeParametersIT {

    @Test
    void readmeTableListsEveryParameterWithItsDefaultAndRange() throws Exception {
        TreeMap<String, String> inCode = new TreeMap<>();
        for (Parameter<?> parameter : allParameters()) {
            String row = "| `" + parameter.name() + "` | " + parameter.component() + " | `"
                    + (parameter.defaultText() == null ? "required" : parameter.defaultText()) + "` | "
                    + parameter.accepted() + " |";
            inCode.put(parameter.component() + "/" + parameter.name(), row);
        }
        TreeMap<String, String> inReadme = new TreeMap<>();
        for (String row : readmeRows()) {
            String[] cells = row.split("\\|");
            inReadme.put(cells[2].trim() + "/" + cells[1].trim().replace("`", ""), row);
        }
        assertEquals(new TreeSet<>(inCode.keySet()), new TreeSet<>(inReadme.keySet()),
                "parameters in the code vs in README.md");
        inCode.forEach((key, row) -> assertEquals(row, inReadme.get(key), "README row of " + key));
    }

    private static List<String> readmeRows() throws IOException {
        List<String> lines = Files.readAllLines(Path.of(System.getProperty("readme", "../../README.md")));
        int start = lines.indexOf("<!-- parameters:start -->");
        int end = lines.indexOf("<!-- parameters:end -->");
        assertTrue(start >= 0 && end > start, "README.md has the parameters table markers");
        List<String> rows = new ArrayList<>();
        for (String line : lines.subList(start + 3, end)) {
            rows.add(line.trim());
        }
        return rows;
    }

    /** Every public static final Parameter of every class in Breakwater's jars (or class folders). */
    static List<Parameter<?>> allParameters() throws Exception {
        List<Parameter<?>> parameters = new ArrayList<>();
        for (String className : breakwaterClasses()) {
            Class<?> type = Class.forName(className, false, ReadmeParametersIT.class.getClassLoader());
            for (Field field : type.getDeclaredFields()) {
                int mods = field.getModifiers();
                if (Modifier.isStatic(mods) && Modifier.isFinal(mods) && Modifier.isPublic(mods)
                        && Parameter.class.isAssignableFrom(field.getType())) {
                    parameters.add((Parameter<?>) field.get(null));
                }
            }
        }
        assertTrue(parameters.size() > 1, "found the parameters");
        return parameters;
    }

    private static TreeSet<String> breakwaterClasses() throws IOException, URISyntaxException {
        TreeSet<String> names = new TreeSet<>();
        for (String anchor : List.of("io.breakwater.core.config.Parameter", "io.breakwater.proxy.BalancingProxyServlet")) {
            Class<?> type;
            try {
                type = Class.forName(anchor, false, ReadmeParametersIT.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                continue;
            }
            CodeSource source = type.getProtectionDomain().getCodeSource();
            Path location = Path.of(source.getLocation().toURI());
            if (Files.isDirectory(location)) {
                try (Stream<Path> files = Files.walk(location)) {
                    files.map(p -> location.relativize(p).toString())
                            .filter(p -> p.startsWith("io/breakwater/") && p.endsWith(".class"))
                            .forEach(p -> names.add(toClassName(p)));
                }
            } else {
                try (JarFile jar = new JarFile(location.toFile())) {
                    jar.stream().map(JarEntry::getName)
                            .filter(p -> p.startsWith("io/breakwater/") && p.endsWith(".class"))
                            .forEach(p -> names.add(toClassName(p)));
                }
            }
        }
        return names;
    }

    private static String toClassName(String path) {
        return path.substring(0, path.length() - ".class".length()).replace('/', '.');
    }
}
