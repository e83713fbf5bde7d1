// Writes opencv-resize-fixtures.txt: OpenCV's own INTER_LINEAR resize of small uint8 images, the
// oracle for jgluon's transforms.Resize (Gluon resizes uint8 images with cv::resize, INTER_LINEAR).
//
// Build and run (needs only the OpenCV runtime libraries, no headers; Debian: libopencv-imgproc406):
//   g++ -O1 -o /tmp/cvfix tests/data/resize/opencv_resize_fixtures.cpp \
//       /usr/lib/x86_64-linux-gnu/libopencv_imgproc.so.406 /usr/lib/x86_64-linux-gnu/libopencv_core.so.406
//   /tmp/cvfix > tests/data/resize/opencv-resize-fixtures.txt
//
// cv::hal::resize is the plain-pointer entry point that cv::resize calls for CPU images
// (declared in opencv2/imgproc/hal/hal.hpp; declared here so no -dev package is needed).
#include <cstdio>
#include <cstdint>
#include <cstddef>
#include <vector>

namespace cv { namespace hal {
void resize(int src_type, const unsigned char* src_data, size_t src_step, int src_width, int src_height,
            unsigned char* dst_data, size_t dst_step, int dst_width, int dst_height,
            double inv_scale_x, double inv_scale_y, int interpolation);
}}

static const int INTER_LINEAR = 1;
static int cv8uc(int cn) { return (cn - 1) << 3; } // CV_MAKETYPE(CV_8U, cn)

// Deterministic pseudo-random bytes (the same in any C++ compiler).
static uint32_t state = 12345;
static int nextByte() { state = state * 1103515245u + 12345u; return (state >> 16) & 0xFF; }

// One case: "case H W C OH OW" line, then the H*W*C input bytes, then the OH*OW*C output bytes (HWC order).
static void emit(int h, int w, int c, int oh, int ow, const std::vector<unsigned char>& src) {
    std::vector<unsigned char> dst((size_t) oh * ow * c);
    cv::hal::resize(cv8uc(c), src.data(), (size_t) w * c, w, h, dst.data(), (size_t) ow * c, ow, oh,
                    (double) ow / w, (double) oh / h, INTER_LINEAR);
    std::printf("case %d %d %d %d %d\n", h, w, c, oh, ow);
    for (size_t i = 0; i < src.size(); i++) std::printf("%d%c", src[i], i + 1 == src.size() ? '\n' : ' ');
    for (size_t i = 0; i < dst.size(); i++) std::printf("%d%c", dst[i], i + 1 == dst.size() ? '\n' : ' ');
}

static void randomCase(int h, int w, int c, int oh, int ow) {
    std::vector<unsigned char> src((size_t) h * w * c);
    for (auto& v : src) v = (unsigned char) nextByte();
    emit(h, w, c, oh, ow, src);
}

int main() {
    emit(2, 2, 1, 4, 4, {0, 100, 200, 255});           // the hand-checked upscale
    emit(4, 4, 1, 2, 2, {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 255});
    randomCase(28, 28, 1, 224, 224);                    // the experiment's resize
    randomCase(28, 28, 1, 96, 96);
    randomCase(28, 28, 1, 67, 67);
    randomCase(28, 28, 1, 28, 28);                      // identity
    randomCase(28, 28, 1, 14, 14);                      // exact 2x down (OpenCV's area shortcut)
    randomCase(28, 28, 1, 13, 17);                      // odd down, w != h
    randomCase(5, 7, 3, 11, 3);                         // colour, mixed up/down
    randomCase(1, 1, 1, 3, 2);
    randomCase(3, 1, 2, 1, 4);
    randomCase(9, 9, 1, 20, 20);
    return 0;
}
