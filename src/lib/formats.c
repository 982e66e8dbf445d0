// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The table of formats (see formats.h). */
#include "formats.h"

const struct bd_format bd_formats[BD_FMT_CNT] = {
	[BD_FMT_AUTO] = { "", fmt_put_typed, fmt_emit_typed },
	[BD_FMT_HEX] = { "hex", fmt_put_hex, fmt_emit_hex },
	[BD_FMT_IP] = { "ip", fmt_put_ip, fmt_emit_ip },
	/* path(), str() and ustr() are fetches; what they fetch is text */
	[BD_FMT_PATH] = { "path", fmt_put_typed, fmt_emit_typed },
	[BD_FMT_CSTR] = { "str", fmt_put_typed, fmt_emit_typed },
	[BD_FMT_TASKSTATE] = { "taskstate", fmt_put_taskstate, fmt_emit_taskstate },
	[BD_FMT_VMFLAGS] = { "vmflags", fmt_put_vmflags, fmt_emit_vmflags },
	[BD_FMT_TCPSTATE] = { "tcpstate", fmt_put_tcpstate, fmt_emit_tcpstate },
	[BD_FMT_SOCKADDR] = { "laddr", fmt_put_sockaddr, fmt_emit_sockaddr },
	[BD_FMT_FAMILY] = { "family", fmt_put_family, fmt_emit_family },
	[BD_FMT_MAPDATA] = { "", fmt_put_mapdata, fmt_emit_mapdata },
	[BD_FMT_SUNPATH] = { "sunpath", fmt_put_sunpath, fmt_emit_sunpath },
	[BD_FMT_USTR] = { "ustr", fmt_put_typed, fmt_emit_typed },
	[BD_FMT_NSPID] = { "nspid", fmt_put_nspid, fmt_emit_nspid },
	[BD_FMT_SOCKTYPE] = { "socktype", fmt_put_socktype, fmt_emit_socktype },
	[BD_FMT_FILEOFF] = { "fileoff", fmt_put_fileoff, fmt_emit_fileoff },
};
