package io.breakwater.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The benchmarks jar's entry point: JMH's own command line ({@code java -jar breakwater-bench.jar -h}), except that
 * unless {@code -p contender=...} is given, the chain benchmarks run only the contenders whose classes are present,
 * and say which are absent, so the jar measures filters as they are merged with no change.
 */
public final class Jmh {
    private static final Set<String> JMH_OWN_MODES = Set.of("-h", "-l", "-lp", "-lprof", "-lrf", "-v");

    private Jmh() {
    }

    public static void main(String[] args) throws Exception {
        for (String arg : args) {
            if (JMH_OWN_MODES.contains(arg)) {
                org.openjdk.jmh.Main.main(args);
                return;
            }
        }
        CommandLineOptions commandLine = new CommandLineOptions(args);
        OptionsBuilder options = new OptionsBuilder();
        options.parent(commandLine);
        if (!commandLine.getParameter("contender").hasValue()) {
            List<String> present = new ArrayList<>();
            for (FilterContender contender : FilterContender.values()) {
                System.out.printf("%-18s %s%n", contender.label(), contender.description());
                if (contender.filters().isPresent()) {
                    present.add(contender.label());
                }
            }
            options.param("contender", present.toArray(new String[0]));
        }
        new Runner(options.build()).run();
    }
}
