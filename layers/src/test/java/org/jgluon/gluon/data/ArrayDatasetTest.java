package org.jgluon.gluon.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jgluon.engine.Tensor;
import org.junit.jupiter.api.Test;

class ArrayDatasetTest {

    @Test
    void itemsAreRowCopiesWithTheirLabels() {
        float[] data = {1, 2, 3, 4, 5, 6};
        ArrayDataset ds = new ArrayDataset(Tensor.wrap(data, 3, 2), new float[] {7, 8, 9});
        assertEquals(3, ds.size());
        Sample s = ds.get(1);
        assertArrayEquals(new int[] {2}, s.data().shape());
        assertArrayEquals(new float[] {3, 4}, s.data().toArray());
        assertEquals(8f, s.label());
        s.data().set(0, 100);
        assertEquals(3f, data[2], "item must be a copy");
        assertThrows(IndexOutOfBoundsException.class, () -> ds.get(3));
    }

    @Test
    void labelShapeMustMatch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ArrayDataset(Tensor.zeros(3, 2), Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("(3,)") && e.getMessage().contains("(4,)"), e.getMessage());
        assertEquals(3, new ArrayDataset(Tensor.zeros(3, 2), Tensor.zeros(3, 1)).size());
    }

    @Test
    void transformFirstTouchesOnlyTheData() {
        ArrayDataset ds = new ArrayDataset(Tensor.wrap(new float[] {1, 2}, 2, 1), new float[] {5, 6});
        Dataset<Sample> doubled = ds.transformFirst(t -> Tensor.wrap(new float[] {t.get(0) * 2}, 1));
        assertEquals(2, doubled.size());
        assertEquals(4f, doubled.get(1).data().get(0));
        assertEquals(6f, doubled.get(1).label());
        Dataset<Float> labels = ds.transform(Sample::label);
        assertEquals(5f, labels.get(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> labels.transformFirst(t -> t).get(0));
        assertTrue(e.getMessage().contains("Float"), e.getMessage());
    }

    @Test
    void takeAndSimpleDataset() {
        SimpleDataset<Sample> ds = new SimpleDataset<>(java.util.List.of(
                new Sample(Tensor.scalar(1), 0), new Sample(Tensor.scalar(2), 1), new Sample(Tensor.scalar(3), 2)));
        Dataset<Sample> two = ds.take(2);
        assertEquals(2, two.size());
        assertEquals(1f, two.get(1).label());
        assertThrows(IndexOutOfBoundsException.class, () -> two.get(2));
        assertEquals(3, ds.take(10).size());
        assertEquals(0, ds.take(0).size());
        assertThrows(IllegalArgumentException.class, () -> ds.take(-1));
        Batch b = new DataLoader(two, 5, false, "keep", 0, 0).iterator().next();
        assertArrayEquals(new float[] {1, 2}, b.data().toArray());
        assertArrayEquals(new float[] {0, 1}, b.label().toArray());
    }
}
