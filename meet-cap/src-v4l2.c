/*
 * The "v4l2[:DEVICE]" video source: a camera through Video4Linux2 with mmap
 * streaming.  MJPEG is passed through when the camera offers it; otherwise
 * YUYV or NV12 is converted to planes (yuv.c) and encoded.  Size and frame
 * rate are asked for from -s and -r and the camera's answer is used.  The
 * camera sets the pace.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/videodev2.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cap.h"
#include "xmalloc.h"

#define V4L2_DEFAULT	"/dev/video0"
#define V4L2_NBUFS	4
#define V4L2_TIMEOUT	5000	/* ms without a frame before giving up */

struct v4l2_state {
	char		*dev;
	int		 fd;
	uint32_t	 fourcc;
	int		 width;
	int		 height;
	size_t		 stride;
	size_t		 uvoffset;	/* NV12: the UV plane after luma */
	void		*buf[V4L2_NBUFS];	/* mmap'ed by the driver */
	size_t		 buflen[V4L2_NBUFS];
	int		 nbufs;
	int		 streaming;
	uint8_t		*planes;	/* owned; I420 for the encoder */
	uint8_t		*copy;		/* owned; MJPEG passed through */
	size_t		 copysize;
	struct jpegenc	*enc;
};

static int	v4l2_open(void **, const char *, struct cap_vparams *,
		    char **);
static int	v4l2_next(void *, struct cap_frame *, char **);
static void	v4l2_close(void *);
static int	v4l2_xioctl(int, unsigned long, void *);
static uint32_t	v4l2_pick(int);
static int	v4l2_format(struct v4l2_state *, struct cap_vparams *,
		    char **);
static int	v4l2_buffers(struct v4l2_state *, char **);

const struct cap_video_source cap_video_v4l2 = {
	.name = "v4l2",
	.takes_arg = 1,
	.self_paced = 1,
	.open = v4l2_open,
	.next = v4l2_next,
	.close = v4l2_close
};

static int
v4l2_xioctl(int fd, unsigned long req, void *arg)
{
	int	r;

	do
		r = ioctl(fd, req, arg);
	while (r == -1 && errno == EINTR);
	return r;
}

/* The best format the camera offers: MJPEG, then YUYV, then NV12. */
static uint32_t
v4l2_pick(int fd)
{
	static const uint32_t	 pref[] = { V4L2_PIX_FMT_MJPEG,
				    V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_NV12 };
	struct v4l2_fmtdesc	 fd_;
	size_t			 i, best = sizeof pref / sizeof pref[0];

	memset(&fd_, 0, sizeof fd_);
	fd_.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	for (; v4l2_xioctl(fd, VIDIOC_ENUM_FMT, &fd_) == 0; fd_.index++) {
		for (i = 0; i < best; i++) {
			if (fd_.pixelformat == pref[i])
				best = i;
		}
	}
	return best < sizeof pref / sizeof pref[0] ? pref[best] : 0;
}

static int
v4l2_format(struct v4l2_state *vs, struct cap_vparams *p, char **cause)
{
	struct v4l2_format	 fmt;
	struct v4l2_streamparm	 parm;

	if ((vs->fourcc = v4l2_pick(vs->fd)) == 0) {
		xasprintf(cause, "%s: no MJPEG, YUYV or NV12 format", vs->dev);
		return -1;
	}
	memset(&fmt, 0, sizeof fmt);
	fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	fmt.fmt.pix.width = p->width;
	fmt.fmt.pix.height = p->height;
	fmt.fmt.pix.pixelformat = vs->fourcc;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	if (v4l2_xioctl(vs->fd, VIDIOC_S_FMT, &fmt) == -1) {
		xasprintf(cause, "%s: %s", vs->dev, strerror(errno));
		return -1;
	}
	vs->fourcc = fmt.fmt.pix.pixelformat;
	vs->width = fmt.fmt.pix.width & ~1U;
	vs->height = fmt.fmt.pix.height & ~1U;
	vs->stride = fmt.fmt.pix.bytesperline;
	if (vs->stride == 0)
		vs->stride = vs->fourcc == V4L2_PIX_FMT_YUYV ?
		    2 * (size_t)vs->width : (size_t)vs->width;
	vs->uvoffset = vs->stride * fmt.fmt.pix.height;
	p->width = vs->width;
	p->height = vs->height;

	/* Drivers that cannot set the rate say so; that is no error. */
	memset(&parm, 0, sizeof parm);
	parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (p->fps > 0) {
		parm.parm.capture.timeperframe.numerator = 1000;
		parm.parm.capture.timeperframe.denominator = p->fps * 1000;
		if (v4l2_xioctl(vs->fd, VIDIOC_S_PARM, &parm) == 0 &&
		    parm.parm.capture.timeperframe.numerator != 0)
			p->fps = (double)parm.parm.capture.timeperframe.
			    denominator / parm.parm.capture.timeperframe.
			    numerator;
	}
	return 0;
}

static int
v4l2_buffers(struct v4l2_state *vs, char **cause)
{
	struct v4l2_requestbuffers	 req;
	struct v4l2_buffer		 b;
	enum v4l2_buf_type		 type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int				 i;

	memset(&req, 0, sizeof req);
	req.count = V4L2_NBUFS;
	req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	req.memory = V4L2_MEMORY_MMAP;
	if (v4l2_xioctl(vs->fd, VIDIOC_REQBUFS, &req) == -1)
		goto fail;
	if (req.count < 2 || req.count > V4L2_NBUFS) {
		xasprintf(cause, "%s: %u buffers", vs->dev, req.count);
		return -1;
	}
	for (i = 0; i < (int)req.count; i++) {
		memset(&b, 0, sizeof b);
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		b.index = i;
		if (v4l2_xioctl(vs->fd, VIDIOC_QUERYBUF, &b) == -1)
			goto fail;
		vs->buf[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE,
		    MAP_SHARED, vs->fd, b.m.offset);
		if (vs->buf[i] == MAP_FAILED) {
			vs->buf[i] = NULL;
			goto fail;
		}
		vs->buflen[i] = b.length;
		vs->nbufs++;
		if (v4l2_xioctl(vs->fd, VIDIOC_QBUF, &b) == -1)
			goto fail;
	}
	if (v4l2_xioctl(vs->fd, VIDIOC_STREAMON, &type) == -1)
		goto fail;
	vs->streaming = 1;
	return 0;
fail:
	xasprintf(cause, "%s: %s", vs->dev, strerror(errno));
	return -1;
}

static int
v4l2_open(void **statep, const char *arg, struct cap_vparams *p,
    char **cause)
{
	struct v4l2_state	*vs;
	struct v4l2_capability	 cap;

	vs = xcalloc(1, sizeof *vs);
	vs->fd = -1;
	vs->dev = xstrdup(arg != NULL && *arg != '\0' ? arg : V4L2_DEFAULT);
	if ((vs->fd = open(vs->dev, O_RDWR | O_NONBLOCK | O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s: %s", vs->dev, strerror(errno));
		goto out;
	}
	if (v4l2_xioctl(vs->fd, VIDIOC_QUERYCAP, &cap) == -1 ||
	    !(cap.capabilities & V4L2_CAP_VIDEO_CAPTURE) ||
	    !(cap.capabilities & V4L2_CAP_STREAMING)) {
		xasprintf(cause, "%s: not a streaming video capture device",
		    vs->dev);
		goto out;
	}
	if (v4l2_format(vs, p, cause) != 0)
		goto out;
	if (vs->fourcc != V4L2_PIX_FMT_MJPEG) {
		vs->planes = xmalloc((size_t)vs->width * vs->height * 3 / 2);
		if ((vs->enc = jpegenc_new(vs->width, vs->height, p->quality,
		    cause)) == NULL)
			goto out;
	}
	if (v4l2_buffers(vs, cause) != 0)
		goto out;
	*statep = vs;
	return 0;
out:
	v4l2_close(vs);
	return -1;
}

static int
v4l2_next(void *state, struct cap_frame *f, char **cause)
{
	struct v4l2_state	*vs = state;
	struct v4l2_buffer	 b;
	struct pollfd		 pfd;
	const uint8_t		*src, *planes[3];
	int			 strides[3], r;
	size_t			 ysize = (size_t)vs->width * vs->height;

	memset(&b, 0, sizeof b);
	b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b.memory = V4L2_MEMORY_MMAP;
	while (v4l2_xioctl(vs->fd, VIDIOC_DQBUF, &b) == -1) {
		if (errno != EAGAIN)
			goto fail;
		pfd.fd = vs->fd;
		pfd.events = POLLIN;
		if ((r = poll(&pfd, 1, V4L2_TIMEOUT)) == -1 && errno != EINTR)
			goto fail;
		if (r == 0) {
			xasprintf(cause, "%s: no frame for %d seconds",
			    vs->dev, V4L2_TIMEOUT / 1000);
			return -1;
		}
	}
	if (b.index >= (unsigned)vs->nbufs) {
		xasprintf(cause, "%s: bad buffer index", vs->dev);
		return -1;
	}
	src = vs->buf[b.index];
	if (vs->fourcc != V4L2_PIX_FMT_MJPEG && vs->buflen[b.index] <
	    (vs->fourcc == V4L2_PIX_FMT_YUYV ? vs->stride * vs->height :
	    vs->uvoffset + vs->stride * vs->height / 2)) {
		v4l2_xioctl(vs->fd, VIDIOC_QBUF, &b);
		xasprintf(cause, "%s: buffer too small for the format",
		    vs->dev);
		return -1;
	}
	if (b.bytesused > vs->buflen[b.index])
		b.bytesused = vs->buflen[b.index];
	if (vs->fourcc == V4L2_PIX_FMT_MJPEG) {
		/* Copied so the buffer goes back to the driver at once. */
		if (b.bytesused > vs->copysize) {
			vs->copy = xreallocarray(vs->copy, 1, b.bytesused);
			vs->copysize = b.bytesused;
		}
		memcpy(vs->copy, src, b.bytesused);
		f->data = vs->copy;
		f->len = b.bytesused;
	} else {
		planes[0] = vs->planes;
		planes[1] = vs->planes + ysize;
		planes[2] = vs->planes + ysize + ysize / 4;
		if (vs->fourcc == V4L2_PIX_FMT_YUYV)
			yuv_yuyv_to_i420(src, vs->stride, vs->width,
			    vs->height, vs->planes, vs->planes + ysize,
			    vs->planes + ysize + ysize / 4);
		else
			yuv_nv12_to_i420(src, vs->stride, src + vs->uvoffset,
			    vs->stride, vs->width, vs->height,
			    vs->planes, vs->planes + ysize,
			    vs->planes + ysize + ysize / 4);
		strides[0] = vs->width;
		strides[1] = strides[2] = vs->width / 2;
		if (jpegenc_planes(vs->enc, planes, strides, f, cause) != 0) {
			v4l2_xioctl(vs->fd, VIDIOC_QBUF, &b);
			return -1;
		}
	}
	if (v4l2_xioctl(vs->fd, VIDIOC_QBUF, &b) == -1)
		goto fail;
	return 1;
fail:
	xasprintf(cause, "%s: %s", vs->dev, strerror(errno));
	return -1;
}

static void
v4l2_close(void *state)
{
	struct v4l2_state	*vs = state;
	enum v4l2_buf_type	 type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int			 i;

	if (vs == NULL)
		return;
	if (vs->streaming)
		v4l2_xioctl(vs->fd, VIDIOC_STREAMOFF, &type);
	for (i = 0; i < vs->nbufs; i++)
		munmap(vs->buf[i], vs->buflen[i]);
	if (vs->fd != -1)
		close(vs->fd);
	jpegenc_free(vs->enc);
	free(vs->planes);
	free(vs->copy);
	free(vs->dev);
	free(vs);
}
