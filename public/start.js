// River Patrol's start-up script: it decides whether this browser can run the app before the
// app's wasm is loaded, so that nobody is left looking at "正在打开…" without knowing why.
//
// - Too old a browser: the build's wasm needs the features in FEATURES (`cargo xtask dist`
//   validates the wasm against the same list, xtask/src/split.rs). They are checked with
//   wasm-feature-detect (loaded just before this script); if one is missing, or the browser
//   has no WebAssembly at all, the start-up screen says in both languages what to do and the
//   app is not loaded.
// - WeChat, QQ and other apps' built-in browsers cannot install the app and may clear its
//   data: a short guide says how to open the link in the phone's own browser. The app still
//   starts beneath it for someone who goes on.
// - The app not starting (a file that did not arrive, an error in start-up) and a start that
//   takes very long both get a message instead of an endless "正在打开…".
//
// A classic script written in ES5, so an old browser runs it far enough to say why the app
// cannot start there. `cargo xtask dist` fills in the names in double underscores and the
// texts (the `start` section of locales/*.json) and writes it as dist/start-<hash>.js; docs/
// compatibility.md tells the whole story.
(function () {
  'use strict';
  var BOOT_MODULE = '__BOOT_MODULE__';
  var FEATURES = __FEATURES__;
  var TEXT = __TEXT__;
  var LANGUAGES = ['zh-CN', 'en'];
  // How long a start may take before the start-up screen says what to do if it never ends.
  var SLOW_MS = 20000;
  // The built-in browsers of apps, by a mark in their user agent, with their name's key.
  var IN_APP = [
    [/MicroMessenger|wxwork/i, 'wechat'],
    [/\sQQ\//, 'qq'],
    [/DingTalk/i, 'dingtalk'],
    [/Weibo/i, 'weibo'],
    [/AlipayClient/i, 'alipay'],
    [/aweme|BytedanceWebview/i, 'douyin'],
    [/Lark\/|Feishu/i, 'feishu']
  ];
  var GUIDE_DISMISSED = 'rp-in-app-guide-dismissed';

  function text(language, key, app) {
    var value = TEXT[language][key] || '';
    return app ? value.replace(/\{\{\s*app\s*\}\}/g, TEXT[language]['apps.' + app]) : value;
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content) node.appendChild(document.createTextNode(content));
    return node;
  }

  // One block per language: a heading and its paragraphs, each marked with its language.
  function bothLanguages(box, keys, app) {
    for (var i = 0; i < LANGUAGES.length; i++) {
      var block = element('div', 'start-language');
      block.setAttribute('lang', LANGUAGES[i]);
      block.appendChild(element('h2', 'start-title', text(LANGUAGES[i], keys[0], app)));
      for (var k = 1; k < keys.length; k++) {
        block.appendChild(element('p', 'start-body', text(LANGUAGES[i], keys[k], app)));
      }
      box.appendChild(block);
    }
  }

  // Replaces the start-up screen's "正在打开…" with a message; false once the app has started.
  function sayOnStartScreen(id, keys, detail) {
    var boot = document.getElementById('boot');
    if (!boot) return false;
    var hints = boot.querySelectorAll('.boot-hint, .start-message');
    for (var i = 0; i < hints.length; i++) hints[i].parentNode.removeChild(hints[i]);
    var box = element('div', 'start-message');
    box.id = id;
    box.setAttribute('role', 'alert');
    bothLanguages(box, keys);
    if (detail) box.appendChild(element('p', 'start-detail', detail));
    boot.appendChild(box);
    return true;
  }

  function tooOld(missing) {
    sayOnStartScreen('start-too-old', ['too_old.title', 'too_old.what_to_do', 'too_old.versions'],
      'WebAssembly: ' + missing.join(', '));
  }

  // Called by the boot module when the app's files or its start-up fail.
  window.rpStartFailed = function (error) {
    var reason = error && (error.message || String(error));
    sayOnStartScreen('start-failed', ['failed.title', 'failed.what_to_do'], reason || '');
  };

  function inAppBrowser(agent) {
    for (var i = 0; i < IN_APP.length; i++) {
      if (IN_APP[i][0].test(agent)) return IN_APP[i][1];
    }
    return null;
  }

  function dismissed() {
    try {
      return window.sessionStorage.getItem(GUIDE_DISMISSED) === '1';
    } catch (e) {
      return false;
    }
  }

  function showInAppGuide(app) {
    var guide = element('section', 'in-app-guide');
    guide.id = 'in-app-guide';
    guide.setAttribute('role', 'dialog');
    guide.setAttribute('aria-labelledby', 'in-app-guide-title');
    var picture = element('img', 'in-app-picture');
    picture.src = '/open-in-browser.svg';
    picture.width = 280;
    picture.height = 160;
    picture.alt = text('zh-CN', 'in_app.picture') + ' / ' + text('en', 'in_app.picture');
    guide.appendChild(picture);
    bothLanguages(guide, ['in_app.title', 'in_app.steps', 'in_app.why'], app);
    guide.querySelector('h2').id = 'in-app-guide-title';
    var go_on = element('button', 'in-app-continue',
      text('zh-CN', 'in_app.go_on') + ' · ' + text('en', 'in_app.go_on'));
    go_on.type = 'button';
    go_on.onclick = function () {
      try {
        window.sessionStorage.setItem(GUIDE_DISMISSED, '1');
      } catch (e) { /* private mode: the guide shows again next time, nothing worse */ }
      guide.parentNode.removeChild(guide);
    };
    guide.appendChild(go_on);
    document.body.appendChild(guide);
  }

  // Resolves with the names of the features this browser lacks.
  function missingFeatures(done) {
    var detect = window.wasmFeatureDetect;
    if (typeof WebAssembly !== 'object' || typeof Promise !== 'function' || !detect) {
      done(FEATURES.length ? FEATURES : ['WebAssembly']);
      return;
    }
    var checks = [];
    for (var i = 0; i < FEATURES.length; i++) {
      checks.push(detect[FEATURES[i]]().then(null, function () { return false; }));
    }
    Promise.all(checks).then(function (found) {
      var missing = [];
      for (var j = 0; j < found.length; j++) if (!found[j]) missing.push(FEATURES[j]);
      done(missing);
    });
  }

  function loadApp() {
    var script = document.createElement('script');
    script.type = 'module';
    script.src = BOOT_MODULE;
    script.onerror = function () {
      window.rpStartFailed(new Error(BOOT_MODULE));
    };
    document.head.appendChild(script);
    window.setTimeout(function () {
      if (!document.getElementById('start-failed')) {
        sayOnStartScreen('start-slow', ['slow.title', 'slow.what_to_do']);
      }
    }, SLOW_MS);
  }

  var app = inAppBrowser(navigator.userAgent || '');
  if (app && !dismissed()) showInAppGuide(app);
  missingFeatures(function (missing) {
    if (missing.length) tooOld(missing);
    else loadApp();
  });
})();
