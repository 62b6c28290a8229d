/* tests/plugins/no_entry.c -- deliberately broken: a shared object that does not export
 * winit_plugin_describe. */
int winit_test_not_a_plugin(int x);

int winit_test_not_a_plugin(int x)
{
	return x + 1;
}
