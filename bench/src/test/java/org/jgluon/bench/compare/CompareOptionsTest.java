package org.jgluon.bench.compare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jgluon.bench.step.AlexNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CompareOptionsTest {

    @Test
    void defaultsAreTheIssuesSetUp() {
        CompareOptions o = CompareOptions.parse();
        assertEquals(List.of(AlexNets.ALEXNET, AlexNets.ALEXNET_BN), o.nets());
        assertArrayEquals(new int[] {224, 96}, o.resolutions());
        assertArrayEquals(new int[] {224}, o.inferResolutions());
        assertEquals(2, o.threads());
        assertEquals(128, o.batch());
        assertEquals("auto", o.channelsLast());
        assertNull(o.peers());
        assertTrue(o.sgemm());
    }

    @Test
    void valuesAreParsed() {
        CompareOptions o = CompareOptions.parse("--nets", "alexnet_bn", "--res", "96,67", "--infer-res", "none", "--threads", "1",
                "--rounds", "3", "--seconds", "0.5", "--channels-last", "on", "--peers", "none", "--mxnet", "--no-sgemm");
        assertEquals(List.of(AlexNets.ALEXNET_BN), o.nets());
        assertArrayEquals(new int[] {96, 67}, o.resolutions());
        assertArrayEquals(new int[0], o.inferResolutions());
        assertEquals(1, o.threads());
        assertEquals(3, o.rounds());
        assertEquals(0.5, o.seconds());
        assertEquals("on", o.channelsLast());
        assertEquals(List.of("mxnet"), o.peers());
        assertFalse(o.sgemm());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--res|32|--res", "--res|96,abc|--res", "--res||--res", "--infer-res|2000|--infer-res",
            "--threads|0|--threads", "--threads|two|--threads", "--batch|-5|--batch", "--rounds|0|--rounds",
            "--seconds|-1|--seconds", "--seconds|NaN|--seconds", "--seconds|soon|--seconds", "--warmup|-1|--warmup",
            "--nets|resnet|--nets", "--channels-last|maybe|--channels-last", "--peers|tensorflow|--peers",
            "--min-steps|0|--min-steps"})
    void badValuesAreRejectedNamingTheOption(String option, String value, String named) {
        var e = assertThrows(IllegalArgumentException.class, () -> CompareOptions.parse(option, value == null ? "" : value));
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }

    @Test
    void unknownOptionsAndMissingValuesAreRejected() {
        var unknown = assertThrows(IllegalArgumentException.class, () -> CompareOptions.parse("--resolution", "224"));
        assertTrue(unknown.getMessage().contains("unknown option '--resolution'"), unknown.getMessage());
        var missing = assertThrows(IllegalArgumentException.class, () -> CompareOptions.parse("--rounds"));
        assertTrue(missing.getMessage().contains("--rounds needs a value"), missing.getMessage());
    }

    @Test
    void theSmallerCommandsRejectBadValuesToo() {
        Flags f = Flags.parse("bench scaling", "usage", new String[] {"--threads", "1,0"}, "threads");
        assertThrows(IllegalArgumentException.class, () -> f.positiveList("threads", new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> Flags.parse("bench scaling", "usage", new String[] {"--thread", "2"}, "threads"));
        assertArrayEquals(new int[] {1, 2, 4},
                Flags.parse("bench scaling", "usage", new String[] {"--threads", "1,2,4"}, "threads").positiveList("threads", null));
    }

    @Test
    void aPeersJsonLineIsRead() {
        Measurement m = Measurement.fromJson("pytorch channels_last", "{\"framework\": \"pytorch\", \"net\": \"alexnet_bn\", \"res\": 96,"
                + " \"mode\": \"train\", \"batch\": 128, \"threads\": 2, \"channels_last\": true, \"steps\": 7,"
                + " \"images_per_s\": 287.5, \"best_step_s\": 0.41, \"median_step_s\": 0.445217, \"mean_step_s\": 0.5,"
                + " \"cpu_s_per_step\": 0.75}");
        assertEquals(new Measurement("pytorch channels_last", "alexnet_bn", 96, "train", 287.5, 0.445217, 0.41, 7, 0.5, 0.75), m);
        assertEquals(0.75, m.cpuShare(2), 1e-12);
        assertTrue(Double.isNaN(Measurement.fromJson("x", "{\"net\": \"alexnet\", \"res\": 96, \"mode\": \"train\","
                + " \"images_per_s\": 1, \"median_step_s\": 1, \"best_step_s\": 1, \"steps\": 1}").cpuSecondsPerStep()));
        assertThrows(IllegalArgumentException.class, () -> Measurement.fromJson("pytorch", "{\"net\": \"alexnet\"}"));
    }

    @Test
    void theTableTakesTheMedianAndTheRatioToThePeersBestVariant() {
        Map<String, Map<String, List<Measurement>>> results = new LinkedHashMap<>();
        Map<String, List<Measurement>> row = new LinkedHashMap<>();
        row.put("jgluon", List.of(at(60), at(40), at(50)));
        row.put("pytorch", List.of(at(20), at(25)));
        row.put("pytorch channels_last", List.of(at(40)));
        results.put("train alexnet 224", row);
        String table = Compare.table(results, List.of("jgluon", "pytorch", "pytorch channels_last"));
        String line = table.lines().filter(l -> l.startsWith("train alexnet 224")).findFirst().orElseThrow();
        assertTrue(line.matches(".*50\\.0 +22\\.5 +40\\.0 +1\\.25$"), line);
        String cpu = Compare.cpuTable(results, List.of("jgluon", "pytorch", "pytorch channels_last"), 2);
        assertTrue(cpu.lines().anyMatch(l -> l.matches("train alexnet 224 +50% +50% +50%")), cpu);
    }

    /** A measurement of {@code imagesPerSecond} that used half of two cores (1 CPU-second per 1-second step). */
    private static Measurement at(double imagesPerSecond) {
        return new Measurement("x", "alexnet", 224, "train", imagesPerSecond, 1, 1, 1, 1.0, 1.0);
    }
}
