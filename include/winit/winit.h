/* winit/winit.h -- the whole public C API. */
#ifndef WINIT_WINIT_H
#define WINIT_WINIT_H

#include <winit/error.h>
#include <winit/plugin.h>
#include <winit/plugin_util.h>
#include <winit/rng.h>
#include <winit/stream.h>
#include <winit/cancel.h>
#include <winit/team.h>
#include <winit/kernels.h>
#include <winit/data.h>
#include <winit/registry.h>
#include <winit/plugin_call.h>
#include <winit/conformance.h>
#include <winit/model.h>
#include <winit/diagnostics.h>
#include <winit/theory.h>
#include <winit/train.h>
#include <winit/model_io.h>
#include <winit/coord.h>
#include <winit/spectrum.h>
#include <winit/study.h>
#include <winit/dist.h>
#include <winit/progress.h>
#include <winit/learning.h>
#include <winit/report.h>
#include <winit/results.h>
#include <winit/report_page.h>
#include <winit/stats.h>
#include <winit/safe_write.h>
#include <winit/relocate.h>
#include <winit/plot.h>
#include <winit/results_doc.h>
#include <winit/fields.h>
#include <winit/shape.h>
#include <winit/parametrization.h>

#endif
