/* i18n.h — marking the text a person reads for translation (GNU gettext).
 * _("text") looks the text up in the attnstep catalogue (po/ko.po) at run
 * time; N_("text") only marks it for xgettext, for tables translated where
 * they are printed. With no catalogue or in English, both give the text back. */
#ifndef ATTNSTEP_I18N_H
#define ATTNSTEP_I18N_H

#include <libintl.h>

#define _(text) gettext(text)
#define N_(text) (text)

#endif
