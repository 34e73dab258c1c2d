package io.ocbridge.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The layering holds: dependencies point one way, cli → core → crypto, and core's packages form no cycle, so each can
 * be read (and replaced) knowing only what it imports. Reads the production classes of all three modules.
 */
class ArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.ocbridge");

    @Test
    void theCryptoKnowsNothingAboveIt() {
        noClasses().that().resideInAPackage("io.ocbridge.crypto..")
                .should().dependOnClassesThat().resideInAnyPackage("io.ocbridge.core..", "io.ocbridge.cli..")
                .check(CLASSES);
    }

    @Test
    void theCoreKnowsNothingOfTheCli() {
        noClasses().that().resideInAPackage("io.ocbridge.core..")
                .should().dependOnClassesThat().resideInAPackage("io.ocbridge.cli..")
                .check(CLASSES);
    }

    @Test
    void theCoresPackagesFormNoCycle() {
        slices().matching("io.ocbridge.core.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void theDemoDoesNotReachBackIntoTheCli() {
        noClasses().that().resideInAPackage("io.ocbridge.cli.demo..")
                .should().dependOnClassesThat().resideInAPackage("io.ocbridge.cli")
                .check(CLASSES);
    }

    @Test
    void theCryptosPackagesFormNoCycle() {
        slices().matching("io.ocbridge.crypto.(*)..").should().beFreeOfCycles().check(CLASSES);
    }
}
