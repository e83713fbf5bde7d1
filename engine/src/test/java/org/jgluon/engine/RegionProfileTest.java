package org.jgluon.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class RegionProfileTest {

    @Test
    void sumsPerCallSiteWithIdleAsThreadsTimesWallMinusBusy() {
        RegionProfile.reset();
        for (int i = 0; i < 2; i++) recordHere(2, 3_000_000, 5_000_000, 400_000); // same line: one site
        List<RegionProfile.Site> sites = RegionProfile.sites();
        assertEquals(1, sites.size());
        RegionProfile.Site s = sites.get(0);
        assertTrue(s.where().startsWith("RegionProfileTest.recordHere:"), s.where());
        assertEquals(2, s.regions());
        assertEquals(6.0, s.wallMs(), 1e-9);
        assertEquals(10.0, s.busyMs(), 1e-9);
        assertEquals(2 * (2 * 3.0 - 5.0), s.idleMs(), 1e-9);
        assertEquals(0.8, s.workerStartMs(), 1e-9);
        RegionProfile.reset();
        assertTrue(RegionProfile.sites().isEmpty());
    }

    private static void recordHere(int threads, long wall, long busy, long start) {
        RegionProfile.record(threads, wall, busy, start);
    }
}
