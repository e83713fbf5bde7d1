package org.jgluon.gluon;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jgluon.gluon.init.Xavier;
import org.junit.jupiter.api.Test;

class KwargsTest {

    @Test
    void camelCaseKeysBecomeSnakeCase() {
        Kwargs kw = Kwargs.kw("kernelSize", 3, "use_bias", false, "weightInitializer", "xavier");
        assertEquals(3, kw.getInt("kernel_size", 0));
        assertFalse(kw.getBool("use_bias", true));
        assertEquals("xavier", kw.getString("weight_initializer", null));
        assertEquals("kernel_size", Kwargs.snakeCase("kernelSize"));
        assertEquals("running_variance_initializer", Kwargs.snakeCase("runningVarianceInitializer"));
        assertEquals("already_snake", Kwargs.snakeCase("already_snake"));
    }

    @Test
    void defaultsAndNoneMeanAbsent() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("strides", null);
        Kwargs kw = Kwargs.of(m);
        assertArrayEquals(new int[] {2, 2}, kw.getIntPair("strides", 2));
        assertNull(kw.getIntPair("strides", (int[]) null));
        assertEquals(0.9f, kw.getFloat("momentum", 0.9f));
        assertEquals("x", kw.getString("name", "x"));
    }

    @Test
    void jsValuesConvert() {
        // what a JS options object looks like after conversion: Double/Integer/Long numbers, lists, arrays
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kernelSize", 11.0);
        m.put("strides", List.of(4, 2L));
        m.put("padding", new int[] {1, 2});
        m.put("dilation", new Object[] {1.0, 1});
        m.put("learningRate", 0.01);
        m.put("units", 7L);
        m.put("flatten", Boolean.TRUE);
        Kwargs kw = Kwargs.of(m);
        assertEquals(11, kw.getInt("kernel_size", 0));
        assertArrayEquals(new int[] {11, 11}, kw.getIntPair("kernel_size", 0));
        assertArrayEquals(new int[] {4, 2}, kw.getIntPair("strides", 1));
        assertArrayEquals(new int[] {1, 2}, kw.getIntPair("padding", 0));
        assertArrayEquals(new int[] {1, 1}, kw.getIntPair("dilation", 0));
        assertEquals(0.01f, kw.getFloat("learning_rate", 0f));
        assertEquals(7, kw.getInt("units", 0));
        assertTrue(kw.getBool("flatten", false));
        assertArrayEquals(new int[] {2, 3}, Kwargs.kw("step", List.of(2.0, 3.0)).getIntList("step", null));
        assertArrayEquals(new float[] {0.5f, 0.25f}, Kwargs.kw("mean", new double[] {0.5, 0.25}).getFloatList("mean", null));
    }

    @Test
    void objectValues() {
        Xavier x = new Xavier();
        assertSame(x, Kwargs.kw("init", x).get("init", Xavier.class, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Kwargs.kw("init", 3).get("init", Xavier.class, null));
        assertTrue(e.getMessage().contains("'init' must be a Xavier"), e.getMessage());
    }

    @Test
    void badValuesAreClearErrors() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Kwargs.kw("kernel_size", 2.5).getInt("kernel_size", 1))
                .getMessage().contains("'kernel_size' must be an integer, got 2.5"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Kwargs.kw("kernel_size", List.of(1, 2, 3)).getIntPair("kernel_size", 1))
                .getMessage().contains("an integer or a pair"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Kwargs.kw("flatten", "yes").getBool("flatten", true))
                .getMessage().contains("true or false"));
        assertThrows(IllegalArgumentException.class, () -> Kwargs.kw("a"));
        assertThrows(IllegalArgumentException.class, () -> Kwargs.kw(3, 4));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Kwargs.kw("kernelSize", 1, "kernel_size", 2))
                .getMessage().contains("twice"));
    }

    @Test
    void checkSuggestsTheNearestName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Kwargs.kw("kernal_size", 3).check("nn.Conv2D", "kernel_size", "strides", "padding"));
        assertEquals("nn.Conv2D: unknown option 'kernal_size' \u2014 did you mean 'kernel_size'? Options: kernel_size, strides, padding",
                e.getMessage());
        // camelCase typo is normalised first, then matched
        e = assertThrows(IllegalArgumentException.class, () -> Kwargs.kw("stride", 2).check("nn.Conv2D", "kernel_size", "strides"));
        assertTrue(e.getMessage().contains("did you mean 'strides'"), e.getMessage());
        // nothing close: no suggestion, but the list
        e = assertThrows(IllegalArgumentException.class, () -> Kwargs.kw("zzzzzzzz", 2).check("nn.Dense", "units", "flatten"));
        assertFalse(e.getMessage().contains("did you mean"), e.getMessage());
        assertTrue(e.getMessage().endsWith("Options: units, flatten"), e.getMessage());
        // valid names pass
        Kwargs.kw("strides", 2).check("x", "strides");
    }
}
