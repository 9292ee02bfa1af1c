#ifndef CROSSLOOP_CNGSPICE_SHIM_H
#define CROSSLOOP_CNGSPICE_SHIM_H
// sharedspice.h uses `bool` without including <stdbool.h>.
#include <stdbool.h>
// XSPICE exposes the event-node API (ngGet_Evt_NodeInfo, ngSpice_AllEvtNodes).
#define XSPICE
#include <ngspice/sharedspice.h>
#endif
