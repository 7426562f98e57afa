package io.breakwater;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The filters' layers, read from the compiled classes: {@code core} at the ground names nothing above it; each
 * feature stands on the core alone and names no other feature; only {@code chain}, which assembles the suite, names
 * the features.
 */
class LayersTest {
    private static final Set<String> FEATURES =
            Set.of("circuit", "error", "exception", "guard", "health", "limit", "metrics", "status", "timeout");
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.breakwater");
    }

    static Stream<String> features() {
        return FEATURES.stream().sorted();
    }

    @Test
    void coreNamesNothingAboveIt() {
        assertTrue(classes.containPackage("io.breakwater.core.time"), "the core's classes were not found");
        noClasses().that().resideInAPackage("io.breakwater.core..")
                .should().dependOnClassesThat(resideInAPackage("io.breakwater..")
                        .and(not(resideInAPackage("io.breakwater.core.."))))
                .check(classes);
    }

    @Test
    void everyPackageHasItsLayer() {
        Set<String> rooms = new TreeSet<>();
        classes.forEach(type -> rooms.add(type.getPackageName().split("\\.")[2]));
        rooms.removeAll(FEATURES);
        assertEquals(new TreeSet<>(Set.of("chain", "core")), rooms);
    }

    @ParameterizedTest
    @MethodSource("features")
    void featureStandsOnTheCoreAlone(String feature) {
        String own = "io.breakwater." + feature + "..";
        assertTrue(classes.containPackage("io.breakwater." + feature), feature + "'s classes were not found");
        noClasses().that().resideInAPackage(own)
                .should().dependOnClassesThat(resideInAPackage("io.breakwater..")
                        .and(not(resideInAnyPackage("io.breakwater.core..", own))))
                .check(classes);
    }
}
