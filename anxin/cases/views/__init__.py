"""Case screens, one module per page or group of forms: ``ledger`` (the case list and its export),
``opening`` (立案), ``case_page`` (the case page and the shape its forms post through),
``case_forms`` (move, close, extend, edit, link, note), ``plans``, ``site`` (incidents and assets),
``actions`` (legal actions and their page), ``documents`` (files and produced documents) and
``boards`` (我的待办, the deadlines board); ``_common`` holds their little shared helpers.
``cases/urls.py`` names each view by its module. Thin: validate, call a service, render."""
