package io.breakwater.proxy;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The proxy is a feature like the filters: it stands on the filters' core alone, and its balancing strategies on
 * the core alone, read from the compiled classes.
 */
class ProxyLayersTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.breakwater");
        assertTrue(classes.containPackage("io.breakwater.proxy.balance"), "the proxy's classes were not found");
    }

    @Test
    void proxyStandsOnTheCoreAlone() {
        noClasses().that().resideInAPackage("io.breakwater.proxy..")
                .should().dependOnClassesThat(resideInAPackage("io.breakwater..")
                        .and(not(resideInAnyPackage("io.breakwater.core..", "io.breakwater.proxy.."))))
                .check(classes);
    }

    @Test
    void strategiesKnowNothingOfTheServlet() {
        noClasses().that().resideInAPackage("io.breakwater.proxy.balance..")
                .should().dependOnClassesThat(resideInAPackage("io.breakwater..")
                        .and(not(resideInAnyPackage("io.breakwater.core..", "io.breakwater.proxy.balance.."))))
                .check(classes);
    }
}
