package org.jgluon.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SimdCheckTest {

    @Test
    void reportNamesSpeciesVerdictAndSgemmRate() {
        String report = SimdCheck.report();
        Matcher m = Pattern.compile(
                "SIMD: FloatVector (\\d+)-bit \\((\\d+) floats per vector\\), compiled to SIMD: (yes|NO) \\(vector dot (only )?[\\d.]+x scalar\\).*\\R"
                        + "SGEMM (256|48)\\^3: [\\d.]+ GFLOPS on (\\d+) threads?( \\(the JIT was still compiling.*\\))?").matcher(report);
        assertTrue(m.matches(), report);
        int bits = Integer.parseInt(m.group(1)), lanes = Integer.parseInt(m.group(2));
        assertEquals(bits, lanes * 32, report);
        assertEquals(Parallel.threads(), Integer.parseInt(m.group(6)), report);
    }

    @Test
    void verdictFollowsTheMeasuredSpeedup() {
        assertTrue(SimdCheck.format(new SimdCheck.Result(512, 16, 8.5, 256, 150, true, 2)).contains("compiled to SIMD: yes (vector dot 8.5x scalar)"));
        String slow = SimdCheck.format(new SimdCheck.Result(512, 16, 1.1, 48, 0.3, true, 1));
        assertTrue(slow.contains("compiled to SIMD: NO (vector dot only 1.1x scalar)") && slow.contains("SGEMM 48^3: 0.3 GFLOPS on 1 thread"), slow);
        assertTrue(SimdCheck.format(new SimdCheck.Result(512, 16, 8.5, 256, 20, false, 2)).endsWith("still compiling the kernel: a busy machine; the rate is low)"));
    }

    @Test
    void dotsAgree() {
        float[] x = new float[37], y = new float[37];
        double exact = 0;
        for (int i = 0; i < x.length; i++) {
            x[i] = i * 0.25f;
            y[i] = 1 - i * 0.125f;
            exact += (double) x[i] * y[i];
        }
        assertEquals(exact, SimdCheck.vectorDot(x, y), 1e-3);
        assertEquals(exact, SimdCheck.scalarDot(x, y), 1e-3);
    }
}
