dist_scripts_DATA += \
	scripts/compare_inits.lua \
	scripts/lsuv.lua
