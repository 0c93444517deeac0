/*
 * Camera pixel formats to planar YUV 4:2:0 (I420), the layout the JPEG
 * encoder takes.  Kept apart from the V4L2 code so it can be tested without
 * a camera.  Width and height are even; strides are in bytes.
 */
#include "cap.h"

/*
 * YUYV 4:2:2 (Y0 U Y1 V per two pixels): luma is copied, chroma of each two
 * rows is averaged (rounding up) to one 4:2:0 row.
 */
void
yuv_yuyv_to_i420(const uint8_t *src, size_t stride, int w, int h,
    uint8_t *y, uint8_t *u, uint8_t *v)
{
	const uint8_t	*r0, *r1;
	int		 row, x, cw = w / 2;

	for (row = 0; row < h; row += 2) {
		r0 = src + (size_t)row * stride;
		r1 = r0 + stride;
		for (x = 0; x < cw; x++) {
			y[(size_t)row * w + 2 * x] = r0[4 * x];
			y[(size_t)row * w + 2 * x + 1] = r0[4 * x + 2];
			y[(size_t)(row + 1) * w + 2 * x] = r1[4 * x];
			y[(size_t)(row + 1) * w + 2 * x + 1] = r1[4 * x + 2];
			u[(size_t)(row / 2) * cw + x] =
			    (r0[4 * x + 1] + r1[4 * x + 1] + 1) / 2;
			v[(size_t)(row / 2) * cw + x] =
			    (r0[4 * x + 3] + r1[4 * x + 3] + 1) / 2;
		}
	}
}

/*
 * NV12: a luma plane and an interleaved UV plane at 4:2:0 already; only the
 * chroma is split.
 */
void
yuv_nv12_to_i420(const uint8_t *ysrc, size_t ystride, const uint8_t *uvsrc,
    size_t uvstride, int w, int h, uint8_t *y, uint8_t *u, uint8_t *v)
{
	const uint8_t	*r;
	int		 row, x, cw = w / 2;

	for (row = 0; row < h; row++) {
		r = ysrc + (size_t)row * ystride;
		for (x = 0; x < w; x++)
			y[(size_t)row * w + x] = r[x];
	}
	for (row = 0; row < h / 2; row++) {
		r = uvsrc + (size_t)row * uvstride;
		for (x = 0; x < cw; x++) {
			u[(size_t)row * cw + x] = r[2 * x];
			v[(size_t)row * cw + x] = r[2 * x + 1];
		}
	}
}
