// Copyright 2026 The livepatch authors
// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A tiny livepatch used by the vm suite: it replaces cmdline_proc_show() so
 * that /proc/cmdline prints a marker naming the version that is live.  The
 * same source builds every version; LKP_VERSION picks the marker and Kbuild
 * derives the module name from it, so a cumulative replace is visible in
 * /proc/modules as well as in /proc/cmdline.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#ifndef LKP_VERSION
#error "build with LKP_VERSION=<n>"
#endif

#define LKP_STR2(x) #x
#define LKP_STR(x) LKP_STR2(x)
#define LKP_MARKER "livepatch-vm-test version " LKP_STR(LKP_VERSION)

static int lkp_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", LKP_MARKER);
	return 0;
}

static struct klp_func lkp_funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = lkp_cmdline_proc_show,
	},
	{}
};

/* A NULL name means vmlinux rather than a module. */
static struct klp_object lkp_objs[] = {
	{
		.funcs = lkp_funcs,
	},
	{}
};

/*
 * replace = true makes each version cumulative: loading version N atomically
 * takes over from whatever version was live, which can then be unloaded.
 */
static struct klp_patch lkp_patch = {
	.mod = THIS_MODULE,
	.objs = lkp_objs,
	.replace = true,
};

static int __init lkp_init(void)
{
	return klp_enable_patch(&lkp_patch);
}

static void __exit lkp_exit(void)
{
}

module_init(lkp_init);
module_exit(lkp_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("livepatch vm test: marks /proc/cmdline with its version");
MODULE_INFO(livepatch, "Y");
