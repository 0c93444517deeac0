/*
 * The JPEG tables and markers that RFC 2435 leans on: the example tables of
 * ITU T.81 Annex K (quantization K.1 and K.2, Huffman K.3), which a
 * receiver rebuilds its headers from, and the zigzag order.  Shared by the
 * check of what may travel untouched (jpeg-rtp-info.c) and the RFC 2435
 * packetizer and depacketizer (rfc2435.c).
 */
#ifndef MEET_JPEG_TABLES_H
#define MEET_JPEG_TABLES_H

#include <stddef.h>
#include <stdint.h>

#define M_SOF0	0xc0
#define M_DHT	0xc4
#define M_SOI	0xd8
#define M_EOI	0xd9
#define M_SOS	0xda
#define M_DQT	0xdb
#define M_DRI	0xdd
#define M_APP0	0xe0
#define M_COM	0xfe

/* Annex K quantization tables, natural (row by row) order. */
extern const uint8_t	jpeg_std_luma_quant[64];
extern const uint8_t	jpeg_std_chroma_quant[64];
/* The natural index of each coefficient in zigzag order. */
extern const uint8_t	jpeg_zigzag[64];

/* An Annex K.3 Huffman table: 16 code counts, then the symbols. */
struct jpeg_std_huff {
	const uint8_t	*table;
	size_t		 len;
};
/* By class (DC 0, AC 1) and destination (0 luma, 1 chroma). */
extern const struct jpeg_std_huff jpeg_std_huff[2][2];

#endif
