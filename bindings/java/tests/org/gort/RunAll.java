package org.gort;

import org.junit.runner.Description;
import org.junit.runner.JUnitCore;
import org.junit.runner.Result;
import org.junit.runner.notification.Failure;
import org.junit.runner.notification.RunListener;

/** Runs the JUnit 4 classes; prints each test, the failures, and the
 * counts as "N passed, N failed" (the line test.sh reads). */
public final class RunAll {
    public static void main(String[] args) throws Exception {
        Class<?>[] classes = {GoTest.class, ChanTest.class, SelectTest.class, SyncTest.class, DeathTest.class};
        JUnitCore core = new JUnitCore();
        int[] counts = new int[2];   // passed, failed: per test, whatever its failure count
        core.addListener(new RunListener() {
            private boolean failed;

            @Override
            public void testStarted(Description d) {
                failed = false;
            }

            @Override
            public void testFailure(Failure f) {
                failed = true;
                System.out.println("FAIL " + f.getDescription().getDisplayName());
                System.out.println(f.getTrace());
            }

            @Override
            public void testFinished(Description d) {
                if (!failed) System.out.println("ok   " + d.getDisplayName());
                counts[failed ? 1 : 0]++;
            }
        });
        Result r = core.run(classes);
        // A failure outside any test (a class's setup) counts once more.
        int failed = counts[1] + (r.getFailureCount() > 0 && counts[1] == 0 ? 1 : 0);
        System.out.println(counts[0] + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
