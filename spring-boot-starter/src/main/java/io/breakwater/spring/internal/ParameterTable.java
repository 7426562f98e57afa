package io.breakwater.spring.internal;

import io.breakwater.core.config.internal.Parameter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Breakwater's parameter table as Spring keys: every {@code public static final Parameter} of the filters' and the
 * proxy's jars, found at build time ({@link #main}: the classes that declare them, and Spring's configuration
 * metadata) and read back at run time from the index, so that the keys are the table's and never a second list.
 * {@code timeoutStatus} is {@code breakwater.timeout-status}; a proxy's parameter is
 * {@code breakwater.proxy.<name>}. Immutable and thread-safe.
 */
public final class ParameterTable {
    static final String INDEX = "META-INF/breakwater/parameter-classes";
    static final String PROXY_COMPONENT = "BalancingProxyServlet";
    /** Not read in Spring Boot: its embedded containers run no ServletContainerInitializer from the app's jars. */
    private static final String INITIALIZER_COMPONENT = "BreakwaterInitializer";
    private static final List<String> ANCHORS =
            List.of("io.breakwater.core.config.ConfigException", "io.breakwater.proxy.BalancingProxyServlet");

    private final List<Parameter<?>> parameters;

    private ParameterTable(List<Parameter<?>> parameters) {
        this.parameters = List.copyOf(parameters);
    }

    /** The table, from the index the build wrote into this jar. */
    public static ParameterTable load() {
        ClassLoader loader = ParameterTable.class.getClassLoader();
        List<String> classes = new ArrayList<>();
        try (InputStream in = loader.getResourceAsStream(INDEX)) {
            if (in == null) {
                throw new IllegalStateException(INDEX + " is missing from the starter's jar");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    classes.add(line.trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Parameter<?>> parameters = new ArrayList<>();
        for (String name : classes) {
            try {
                parameters.addAll(declaredIn(Class.forName(name, true, loader)));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("the starter's index names " + name + ", which is missing", e);
            }
        }
        return new ParameterTable(parameters);
    }

    /** Every parameter a Spring property can set. */
    public List<Parameter<?>> parameters() {
        return parameters;
    }

    /** The Spring key of a parameter: {@code breakwater.timeout-status}, {@code breakwater.proxy.backends}. */
    public static String key(Parameter<?> parameter) {
        return (isProxys(parameter) ? SpringKeys.PROXY : SpringKeys.PREFIX) + "." + kebab(parameter.name());
    }

    /** Whether the parameter is the proxy servlet's own (an init-param of its registration). */
    public static boolean isProxys(Parameter<?> parameter) {
        return parameter.component().equals(PROXY_COMPONENT);
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static List<Parameter<?>> declaredIn(Class<?> type) {
        List<Parameter<?>> found = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            int mods = field.getModifiers();
            if (Modifier.isStatic(mods) && Modifier.isFinal(mods) && Modifier.isPublic(mods)
                    && Parameter.class.isAssignableFrom(field.getType())) {
                try {
                    Parameter<?> parameter = (Parameter<?>) field.get(null);
                    if (!parameter.component().equals(INITIALIZER_COMPONENT)) {
                        found.add(parameter);
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return found;
    }

    /**
     * At build time: writes the index of the classes that declare parameters and Spring's configuration metadata
     * into the directory given, the starter's classes.
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        TreeSet<String> holders = new TreeSet<>();
        List<Parameter<?>> parameters = new ArrayList<>();
        for (String name : libraryClasses()) {
            List<Parameter<?>> declared = declaredIn(Class.forName(name, false, ParameterTable.class.getClassLoader()));
            if (!declared.isEmpty()) {
                holders.add(name);
                parameters.addAll(declared);
            }
        }
        if (parameters.size() < 2) {
            throw new IllegalStateException("found no parameters in " + ANCHORS);
        }
        Path index = out.resolve(INDEX);
        Files.createDirectories(index.getParent());
        Files.write(index, holders);
        Path metadata = out.resolve("META-INF/spring-configuration-metadata.json");
        Files.writeString(metadata, ConfigurationMetadata.json(parameters, SpringKeys.SWITCHES));
    }

    /** The classes of the filters' and the proxy's jars (or class folders), read from the files. */
    private static TreeSet<String> libraryClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        TreeSet<String> names = new TreeSet<>();
        for (String anchor : ANCHORS) {
            CodeSource source = Class.forName(anchor, false, ParameterTable.class.getClassLoader())
                    .getProtectionDomain().getCodeSource();
            Path location = Path.of(source.getLocation().toURI());
            List<String> paths = new ArrayList<>();
            if (Files.isDirectory(location)) {
                try (Stream<Path> files = Files.walk(location)) {
                    files.forEach(p -> paths.add(location.relativize(p).toString().replace('\\', '/')));
                }
            } else {
                try (JarFile jar = new JarFile(location.toFile())) {
                    jar.stream().map(JarEntry::getName).forEach(paths::add);
                }
            }
            for (String path : paths) {
                if (path.startsWith("io/breakwater/") && path.endsWith(".class") && !path.contains("$")) {
                    names.add(path.substring(0, path.length() - ".class".length()).replace('/', '.'));
                }
            }
        }
        return names;
    }
}
