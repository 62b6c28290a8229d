# tests/abi_next.awk -- <winit/plugin.h> as a later release of ABI version 1 would have it:
# one field appended to struct winit_initializer and to struct winit_activation.  The
# output (tests/abi-next/winit/plugin.h) is a test-only header, never installed.
/^struct winit_(initializer|activation) \{$/ { inside = 1 }
inside && /^\};$/ {
	print "\t/* Appended by tests/abi_next.awk: a field of a later ABI 1 release. */"
	print "\tdouble winit_next_field;"
	inside = 0
	appended++
}
{ print }
END {
	if (appended != 2) {
		print "abi_next.awk: expected 2 descriptors to extend, found " appended > "/dev/stderr"
		exit 1
	}
}
