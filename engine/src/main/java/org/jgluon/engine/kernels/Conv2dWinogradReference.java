package org.jgluon.engine.kernels;

/**
 * The matrices of Winograd's F(2×2, r×r), r = 3 and 5, and the 1-D maps as plain matrix products
 * in double: the test oracle of {@link Conv2dWinogradTransforms} and {@link Conv2dWinogradWeights}
 * (whose hand-factored lines must equal these products up to float round-off). F(2, 3) uses the
 * points 0, ±1, ∞; F(2, 5) the points 0, ±1, ±2, ∞ (its Bᵀ is F(4×4, 3×3)'s).
 */
final class Conv2dWinogradReference {

    private Conv2dWinogradReference() {}

    static final double[][] BT3 = {
        {1, 0, -1, 0},
        {0, 1, 1, 0},
        {0, -1, 1, 0},
        {0, 1, 0, -1},
    };
    static final double[][] G3 = {
        {1, 0, 0},
        {0.5, 0.5, 0.5},
        {0.5, -0.5, 0.5},
        {0, 0, 1},
    };
    static final double[][] AT3 = {
        {1, 1, 1, 0},
        {0, 1, -1, -1},
    };
    static final double[][] BT5 = {
        {4, 0, -5, 0, 1, 0},
        {0, -4, -4, 1, 1, 0},
        {0, 4, -4, -1, 1, 0},
        {0, -2, -1, 2, 1, 0},
        {0, 2, -1, -2, 1, 0},
        {0, 4, 0, -5, 0, 1},
    };
    static final double[][] G5 = {
        {1 / 4.0, 0, 0, 0, 0},
        {-1 / 6.0, -1 / 6.0, -1 / 6.0, -1 / 6.0, -1 / 6.0},
        {-1 / 6.0, 1 / 6.0, -1 / 6.0, 1 / 6.0, -1 / 6.0},
        {1 / 24.0, 1 / 12.0, 1 / 6.0, 1 / 3.0, 2 / 3.0},
        {1 / 24.0, -1 / 12.0, 1 / 6.0, -1 / 3.0, 2 / 3.0},
        {0, 0, 0, 0, 1},
    };
    static final double[][] AT5 = {
        {1, 1, 1, 1, 1, 0},
        {0, 1, -1, 2, -2, 1},
    };

    /** Bᵀ (α × α) of F(2, r). */
    static double[][] bt(int r) {
        return r == 3 ? BT3 : BT5;
    }

    /** G (α × r). */
    static double[][] g(int r) {
        return r == 3 ? G3 : G5;
    }

    /** Aᵀ (2 × α). */
    static double[][] at(int r) {
        return r == 3 ? AT3 : AT5;
    }

    /** m·s. */
    static double[] times(double[][] m, double[] s) {
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < s.length; j++) out[i] += m[i][j] * s[j];
        }
        return out;
    }

    /** mᵀ·s. */
    static double[] transposedTimes(double[][] m, double[] s) {
        double[] out = new double[m[0].length];
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < out.length; j++) out[j] += m[i][j] * s[i];
        }
        return out;
    }

    /**
     * y (2 × 2) = Aᵀ [(G w Gᵀ) ⊙ (Bᵀ d B)] A for one tile and channel (w r × r, d α × α, row-major):
     * equals the direct r×r correlation of d with w at the tile's four outputs.
     */
    static double[] tile(int r, double[] w, double[] d) {
        int alpha = r + 1;
        double[] u = twoSided(g(r), w, r), v = twoSided(bt(r), d, alpha), m = new double[alpha * alpha];
        for (int k = 0; k < m.length; k++) m[k] = u[k] * v[k];
        return twoSided(at(r), m, alpha);
    }

    /** L X Lᵀ for X (cols × cols, row-major), L rows × cols. */
    static double[] twoSided(double[][] l, double[] x, int cols) {
        int rows = l.length;
        double[] lx = new double[rows * cols], out = new double[rows * rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                for (int k = 0; k < cols; k++) lx[i * cols + j] += l[i][k] * x[k * cols + j];
            }
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < rows; j++) {
                for (int k = 0; k < cols; k++) out[i * rows + j] += lx[i * cols + k] * l[j][k];
            }
        }
        return out;
    }
}
