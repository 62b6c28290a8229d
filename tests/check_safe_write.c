/* tests/check_safe_write.c -- winit/safe_write.h, the one way winit writes a file: for
 * each kind, a file of that kind (or an empty one) is replaced, a foreign file is refused
 * with what was expected and what was found and kept byte for byte, WINIT_WRITE_FORCE
 * replaces it; a link is followed to the file it names, under the same checks, and stays
 * a link; devices, FIFOs, sockets and directories are refused even when forced; the
 * temporary file is never opened through a link planted at its name. */
#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "testutil.h"

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static const char *slurp(const char *path)
{
	static char buf[1 << 16];
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Write "new" as kind at path with flags; returns the status. */
static int put(const char *path, enum winit_file_kind kind, unsigned flags, struct winit_error *err)
{
	struct winit_safe_write w;
	int rc = winit_safe_write_open(&w, path, kind, NULL, flags, err);
	if (rc)
		return rc;
	fputs("new\n", w.f);
	return winit_safe_write_commit(&w, err);
}

static const struct {
	enum winit_file_kind kind;
	const char *own; /* a file of this kind, as winit writes it */
} kinds[] = {
	{ WINIT_FILE_RESULTS, "{\n  \"format\": \"winit-results\",\n  \"version\": 2,\n  \"runs\": []\n}\n" },
	{ WINIT_FILE_MODEL, WINIT_MODEL_MAGIC "\x01\x00\x00\x00" },
	{ WINIT_FILE_HTML, "<!DOCTYPE html>\n" WINIT_HTML_MARKER " 0.1.0 -->\n<html></html>\n" },
	{ WINIT_FILE_CSV, "run,label,replicate,steps_to_target\nr1,a,0,NA\n" },
	{ WINIT_FILE_CSV, "label,lr,n,effect_size\na,0.1,3,NA\n" },
};

START_TEST(a_file_of_the_kind_or_an_empty_one_is_replaced)
{
	const char *dir = tu_tmpdir();
	struct winit_error err = { 0 };
	const char *path = tu_path(dir, "out");
	write_text(path, kinds[_i].own);
	ck_assert_int_eq(chmod(path, 0640), 0);
	ck_assert_msg(put(path, kinds[_i].kind, 0, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(slurp(path), "new\n");
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0640);
	write_text(path, "");
	ck_assert_msg(put(path, kinds[_i].kind, 0, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(slurp(path), "new\n");
}
END_TEST

START_TEST(a_foreign_file_is_refused_and_kept_unless_forced)
{
	const char *dir = tu_tmpdir();
	struct winit_error err = { 0 };
	const char *path = tu_path(dir, "victim.lua");
	const char *script = "-- a script\nprint(\"keep me\")\n";
	write_text(path, script);
	ck_assert_int_eq(put(path, kinds[_i].kind, 0, &err), WINIT_ERR_IO);
	ck_assert_msg(strstr(err.msg, "victim.lua: cannot write ") &&
	                      strstr(err.msg, "the file exists and is not ") &&
	                      strstr(err.msg, "it starts with \"-- a script\\nprint(\\\"keep me\\\")\\n\"") &&
	                      strstr(err.msg, "--force") && strstr(err.msg, "overwrite = true"),
	              "%s", err.msg);
	ck_assert_str_eq(slurp(path), script);
	ck_assert_int_eq(winit_safe_write_check(path, kinds[_i].kind, NULL, 0, &err), WINIT_ERR_IO);
	ck_assert_str_eq(slurp(path), script);
	/* A file of another of winit's kinds is foreign too. */
	write_text(path, kinds[(_i + 1) % 4].own);
	ck_assert_int_eq(put(path, kinds[_i].kind, 0, &err), WINIT_ERR_IO);
	write_text(path, script);
	ck_assert_msg(put(path, kinds[_i].kind, WINIT_WRITE_FORCE, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(slurp(path), "new\n");
}
END_TEST

START_TEST(a_page_written_before_the_marker_is_winit_s)
{
	const char *dir = tu_tmpdir();
	struct winit_error err = { 0 };
	const char *path = tu_path(dir, "old.html");
	write_text(path, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
	                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
	                 "<title>winit report: s</title>\n<style>\nbody{font-family:system-ui,"
	                 "-apple-system,'Segoe UI',sans-serif;color:#222;margin:24px auto;}\n</style>\n");
	ck_assert_msg(put(path, WINIT_FILE_HTML, 0, &err) == 0, "%s", err.msg);
	/* Some other page with the same head is not. */
	write_text(path, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
	                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
	                 "<title>my page</title>\n");
	ck_assert_int_eq(put(path, WINIT_FILE_HTML, 0, &err), WINIT_ERR_IO);
}
END_TEST

START_TEST(a_link_is_followed_under_the_same_checks)
{
	const char *dir = tu_tmpdir();
	struct winit_error err = { 0 };
	char sub[600], victim[700], link[700];
	snprintf(sub, sizeof sub, "%s/outside", dir);
	ck_assert_int_eq(mkdir(sub, 0777), 0);
	snprintf(victim, sizeof victim, "%s/passwd", sub);
	snprintf(link, sizeof link, "%s/out.json", dir);
	write_text(victim, "root:x:0:0:root:/root:/bin/sh\n");
	ck_assert_int_eq(symlink(victim, link), 0);
	ck_assert_int_eq(put(link, WINIT_FILE_RESULTS, 0, &err), WINIT_ERR_IO);
	char want[1600];
	snprintf(want, sizeof want, "%s (a link to %s): cannot write results: the file exists", link,
	         victim);
	ck_assert_msg(strstr(err.msg, want), "%s", err.msg);
	ck_assert_str_eq(slurp(victim), "root:x:0:0:root:/root:/bin/sh\n");
	/* Forced: the file the link names is replaced, the link stays. */
	ck_assert_msg(put(link, WINIT_FILE_RESULTS, WINIT_WRITE_FORCE, &err) == 0, "%s", err.msg);
	struct stat st;
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_str_eq(slurp(victim), "new\n");
	/* A link to a device is a device. */
	char dev[700];
	snprintf(dev, sizeof dev, "%s/null.json", dir);
	ck_assert_int_eq(symlink("/dev/null", dev), 0);
	ck_assert_int_eq(put(dev, WINIT_FILE_RESULTS, WINIT_WRITE_FORCE, &err), WINIT_ERR_IO);
	ck_assert_msg(strstr(err.msg, "(a link to /dev/null): cannot write results: it is a device"),
	              "%s", err.msg);
	ck_assert_int_eq(stat("/dev/null", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
}
END_TEST

START_TEST(what_is_not_a_regular_file_is_refused_even_when_forced)
{
	const char *dir = tu_tmpdir();
	struct winit_error err = { 0 };
	struct stat st;
	const char *fifo = tu_path(dir, "fifo");
	ck_assert_int_eq(mkfifo(fifo, 0666), 0);
	ck_assert_int_eq(put(fifo, kinds[_i].kind, WINIT_WRITE_FORCE, &err), WINIT_ERR_IO);
	ck_assert_msg(strstr(err.msg, "fifo: cannot write ") &&
	                      strstr(err.msg, ": it is a FIFO, not a regular file"),
	              "%s", err.msg);
	ck_assert_int_eq(lstat(fifo, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	const char *d = tu_path(dir, "dir");
	ck_assert_int_eq(mkdir(d, 0777), 0);
	ck_assert_int_eq(put(d, kinds[_i].kind, WINIT_WRITE_FORCE, &err), WINIT_ERR_IO);
	ck_assert_msg(strstr(err.msg, ": it is a directory, not a regular file"), "%s", err.msg);
	ck_assert_int_eq(lstat(d, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	const char *sock = tu_path(dir, "sock");
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(s, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof a.sun_path, "%s", sock);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(put(sock, kinds[_i].kind, WINIT_WRITE_FORCE, &err), WINIT_ERR_IO);
	ck_assert_msg(strstr(err.msg, ": it is a socket, not a regular file"), "%s", err.msg);
	close(s);
	ck_assert_int_eq(lstat(sock, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
}
END_TEST

START_TEST(a_link_planted_at_the_temporary_name_is_not_followed)
{
	const char *dir = tu_tmpdir();
	struct winit_error err = { 0 };
	char tmp[700], victim[700];
	const char *path = tu_path(dir, "r.json");
	snprintf(victim, sizeof victim, "%s/victim", dir);
	write_text(victim, "keep\n");
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	ck_assert_int_eq(symlink(victim, tmp), 0);
	ck_assert_msg(put(path, WINIT_FILE_RESULTS, 0, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(slurp(victim), "keep\n");
	ck_assert_str_eq(slurp(path), "new\n");
	struct stat st;
	ck_assert_int_ne(lstat(tmp, &st), 0);
}
END_TEST

START_TEST(an_aborted_write_leaves_the_file_and_no_temporary)
{
	const char *dir = tu_tmpdir();
	struct winit_error err = { 0 };
	const char *path = tu_path(dir, "r.json");
	write_text(path, kinds[0].own);
	struct winit_safe_write w;
	ck_assert_msg(winit_safe_write_open(&w, path, WINIT_FILE_RESULTS, NULL, 0, &err) == 0, "%s",
	              err.msg);
	fputs("half", w.f);
	char tmp[sizeof w.tmp];
	memcpy(tmp, w.tmp, sizeof tmp);
	winit_safe_write_abort(&w);
	winit_safe_write_abort(&w); /* a second abort is harmless */
	ck_assert_str_eq(slurp(path), kinds[0].own);
	struct stat st;
	ck_assert_int_ne(lstat(tmp, &st), 0);
}
END_TEST

static Suite *safe_write_suite(void)
{
	Suite *s = suite_create("safe_write");
	TCase *tc = tcase_create("kinds");
	tcase_add_loop_test(tc, a_file_of_the_kind_or_an_empty_one_is_replaced, 0, 5);
	tcase_add_loop_test(tc, a_foreign_file_is_refused_and_kept_unless_forced, 0, 4);
	tcase_add_test(tc, a_page_written_before_the_marker_is_winit_s);
	suite_add_tcase(s, tc);
	tc = tcase_create("paths");
	tcase_add_test(tc, a_link_is_followed_under_the_same_checks);
	tcase_add_loop_test(tc, what_is_not_a_regular_file_is_refused_even_when_forced, 0, 4);
	tcase_add_test(tc, a_link_planted_at_the_temporary_name_is_not_followed);
	tcase_add_test(tc, an_aborted_write_leaves_the_file_and_no_temporary);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(safe_write_suite());
}
