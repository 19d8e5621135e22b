// One ES module for both: the sidebar panel (`anpr-panel`) and the dashboard card
// (`custom:anpr-sightings-card`), served by the integration at /anpr_static/anpr-panel.js.
// Elements are defined only once even when the module is loaded twice.
import "./panel";
import "./card";
