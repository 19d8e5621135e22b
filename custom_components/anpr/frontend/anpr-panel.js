var nt=globalThis,ot=nt.ShadowRoot&&(nt.ShadyCSS===void 0||nt.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,ft=Symbol(),Rt=new WeakMap,U=class{constructor(t,e,i){if(this._$cssResult$=!0,i!==ft)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=t,this.t=e}get styleSheet(){let t=this.o,e=this.t;if(ot&&t===void 0){let i=e!==void 0&&e.length===1;i&&(t=Rt.get(e)),t===void 0&&((this.o=t=new CSSStyleSheet).replaceSync(this.cssText),i&&Rt.set(e,t))}return t}toString(){return this.cssText}},Mt=r=>new U(typeof r=="string"?r:r+"",void 0,ft),v=(r,...t)=>{let e=r.length===1?r[0]:t.reduce((i,s,a)=>i+(n=>{if(n._$cssResult$===!0)return n.cssText;if(typeof n=="number")return n;throw Error("Value passed to 'css' function must be a 'css' function result: "+n+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(s)+r[a+1],r[0]);return new U(e,r,ft)},Ot=(r,t)=>{if(ot)r.adoptedStyleSheets=t.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let e of t){let i=document.createElement("style"),s=nt.litNonce;s!==void 0&&i.setAttribute("nonce",s),i.textContent=e.cssText,r.appendChild(i)}},vt=ot?r=>r:r=>r instanceof CSSStyleSheet?(t=>{let e="";for(let i of t.cssRules)e+=i.cssText;return Mt(e)})(r):r;var{is:ie,defineProperty:se,getOwnPropertyDescriptor:re,getOwnPropertyNames:ae,getOwnPropertySymbols:ne,getPrototypeOf:oe}=Object,lt=globalThis,Tt=lt.trustedTypes,le=Tt?Tt.emptyScript:"",ce=lt.reactiveElementPolyfillSupport,I=(r,t)=>r,$t={toAttribute(r,t){switch(t){case Boolean:r=r?le:null;break;case Object:case Array:r=r==null?r:JSON.stringify(r)}return r},fromAttribute(r,t){let e=r;switch(t){case Boolean:e=r!==null;break;case Number:e=r===null?null:Number(r);break;case Object:case Array:try{e=JSON.parse(r)}catch{e=null}}return e}},Ht=(r,t)=>!ie(r,t),Ft={attribute:!0,type:String,converter:$t,reflect:!1,useDefault:!1,hasChanged:Ht};Symbol.metadata??=Symbol("metadata"),lt.litPropertyMetadata??=new WeakMap;var w=class extends HTMLElement{static addInitializer(t){this._$Ei(),(this.l??=[]).push(t)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(t,e=Ft){if(e.state&&(e.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(t)&&((e=Object.create(e)).wrapped=!0),this.elementProperties.set(t,e),!e.noAccessor){let i=Symbol(),s=this.getPropertyDescriptor(t,i,e);s!==void 0&&se(this.prototype,t,s)}}static getPropertyDescriptor(t,e,i){let{get:s,set:a}=re(this.prototype,t)??{get(){return this[e]},set(n){this[e]=n}};return{get:s,set(n){let h=s?.call(this);a?.call(this,n),this.requestUpdate(t,h,i)},configurable:!0,enumerable:!0}}static getPropertyOptions(t){return this.elementProperties.get(t)??Ft}static _$Ei(){if(this.hasOwnProperty(I("elementProperties")))return;let t=oe(this);t.finalize(),t.l!==void 0&&(this.l=[...t.l]),this.elementProperties=new Map(t.elementProperties)}static finalize(){if(this.hasOwnProperty(I("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(I("properties"))){let e=this.properties,i=[...ae(e),...ne(e)];for(let s of i)this.createProperty(s,e[s])}let t=this[Symbol.metadata];if(t!==null){let e=litPropertyMetadata.get(t);if(e!==void 0)for(let[i,s]of e)this.elementProperties.set(i,s)}this._$Eh=new Map;for(let[e,i]of this.elementProperties){let s=this._$Eu(e,i);s!==void 0&&this._$Eh.set(s,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(t){let e=[];if(Array.isArray(t)){let i=new Set(t.flat(1/0).reverse());for(let s of i)e.unshift(vt(s))}else t!==void 0&&e.push(vt(t));return e}static _$Eu(t,e){let i=e.attribute;return i===!1?void 0:typeof i=="string"?i:typeof t=="string"?t.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(t=>this.enableUpdating=t),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(t=>t(this))}addController(t){(this._$EO??=new Set).add(t),this.renderRoot!==void 0&&this.isConnected&&t.hostConnected?.()}removeController(t){this._$EO?.delete(t)}_$E_(){let t=new Map,e=this.constructor.elementProperties;for(let i of e.keys())this.hasOwnProperty(i)&&(t.set(i,this[i]),delete this[i]);t.size>0&&(this._$Ep=t)}createRenderRoot(){let t=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return Ot(t,this.constructor.elementStyles),t}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(t=>t.hostConnected?.())}enableUpdating(t){}disconnectedCallback(){this._$EO?.forEach(t=>t.hostDisconnected?.())}attributeChangedCallback(t,e,i){this._$AK(t,i)}_$ET(t,e){let i=this.constructor.elementProperties.get(t),s=this.constructor._$Eu(t,i);if(s!==void 0&&i.reflect===!0){let a=(i.converter?.toAttribute!==void 0?i.converter:$t).toAttribute(e,i.type);this._$Em=t,a==null?this.removeAttribute(s):this.setAttribute(s,a),this._$Em=null}}_$AK(t,e){let i=this.constructor,s=i._$Eh.get(t);if(s!==void 0&&this._$Em!==s){let a=i.getPropertyOptions(s),n=typeof a.converter=="function"?{fromAttribute:a.converter}:a.converter?.fromAttribute!==void 0?a.converter:$t;this._$Em=s;let h=n.fromAttribute(e,a.type);this[s]=h??this._$Ej?.get(s)??h,this._$Em=null}}requestUpdate(t,e,i,s=!1,a){if(t!==void 0){let n=this.constructor;if(s===!1&&(a=this[t]),i??=n.getPropertyOptions(t),!((i.hasChanged??Ht)(a,e)||i.useDefault&&i.reflect&&a===this._$Ej?.get(t)&&!this.hasAttribute(n._$Eu(t,i))))return;this.C(t,e,i)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(t,e,{useDefault:i,reflect:s,wrapped:a},n){i&&!(this._$Ej??=new Map).has(t)&&(this._$Ej.set(t,n??e??this[t]),a!==!0||n!==void 0)||(this._$AL.has(t)||(this.hasUpdated||i||(e=void 0),this._$AL.set(t,e)),s===!0&&this._$Em!==t&&(this._$Eq??=new Set).add(t))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let t=this.scheduleUpdate();return t!=null&&await t,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[s,a]of this._$Ep)this[s]=a;this._$Ep=void 0}let i=this.constructor.elementProperties;if(i.size>0)for(let[s,a]of i){let{wrapped:n}=a,h=this[s];n!==!0||this._$AL.has(s)||h===void 0||this.C(s,void 0,a,h)}}let t=!1,e=this._$AL;try{t=this.shouldUpdate(e),t?(this.willUpdate(e),this._$EO?.forEach(i=>i.hostUpdate?.()),this.update(e)):this._$EM()}catch(i){throw t=!1,this._$EM(),i}t&&this._$AE(e)}willUpdate(t){}_$AE(t){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(t)),this.updated(t)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(t){return!0}update(t){this._$Eq&&=this._$Eq.forEach(e=>this._$ET(e,this[e])),this._$EM()}updated(t){}firstUpdated(t){}};w.elementStyles=[],w.shadowRootOptions={mode:"open"},w[I("elementProperties")]=new Map,w[I("finalized")]=new Map,ce?.({ReactiveElement:w}),(lt.reactiveElementVersions??=[]).push("2.1.2");var St=globalThis,zt=r=>r,ct=St.trustedTypes,Nt=ct?ct.createPolicy("lit-html",{createHTML:r=>r}):void 0,Vt="$lit$",S=`lit$${Math.random().toFixed(9).slice(2)}$`,Wt="?"+S,de=`<${Wt}>`,C=document,B=()=>C.createComment(""),V=r=>r===null||typeof r!="object"&&typeof r!="function",At=Array.isArray,he=r=>At(r)||typeof r?.[Symbol.iterator]=="function",bt=`[ 	
\f\r]`,j=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,Dt=/-->/g,Ut=/>/g,A=RegExp(`>|${bt}(?:([^\\s"'>=/]+)(${bt}*=${bt}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),It=/'/g,jt=/"/g,qt=/^(?:script|style|textarea|title)$/i,Et=r=>(t,...e)=>({_$litType$:r,strings:t,values:e}),o=Et(1),xe=Et(2),we=Et(3),P=Symbol.for("lit-noChange"),c=Symbol.for("lit-nothing"),Bt=new WeakMap,E=C.createTreeWalker(C,129);function Kt(r,t){if(!At(r)||!r.hasOwnProperty("raw"))throw Error("invalid template strings array");return Nt!==void 0?Nt.createHTML(t):t}var pe=(r,t)=>{let e=r.length-1,i=[],s,a=t===2?"<svg>":t===3?"<math>":"",n=j;for(let h=0;h<e;h++){let d=r[h],p,u,m=-1,x=0;for(;x<d.length&&(n.lastIndex=x,u=n.exec(d),u!==null);)x=n.lastIndex,n===j?u[1]==="!--"?n=Dt:u[1]!==void 0?n=Ut:u[2]!==void 0?(qt.test(u[2])&&(s=RegExp("</"+u[2],"g")),n=A):u[3]!==void 0&&(n=A):n===A?u[0]===">"?(n=s??j,m=-1):u[1]===void 0?m=-2:(m=n.lastIndex-u[2].length,p=u[1],n=u[3]===void 0?A:u[3]==='"'?jt:It):n===jt||n===It?n=A:n===Dt||n===Ut?n=j:(n=A,s=void 0);let k=n===A&&r[h+1].startsWith("/>")?" ":"";a+=n===j?d+de:m>=0?(i.push(p),d.slice(0,m)+Vt+d.slice(m)+S+k):d+S+(m===-2?h:k)}return[Kt(r,a+(r[e]||"<?>")+(t===2?"</svg>":t===3?"</math>":"")),i]},W=class r{constructor({strings:t,_$litType$:e},i){let s;this.parts=[];let a=0,n=0,h=t.length-1,d=this.parts,[p,u]=pe(t,e);if(this.el=r.createElement(p,i),E.currentNode=this.el.content,e===2||e===3){let m=this.el.content.firstChild;m.replaceWith(...m.childNodes)}for(;(s=E.nextNode())!==null&&d.length<h;){if(s.nodeType===1){if(s.hasAttributes())for(let m of s.getAttributeNames())if(m.endsWith(Vt)){let x=u[n++],k=s.getAttribute(m).split(S),at=/([.?@])?(.*)/.exec(x);d.push({type:1,index:a,name:at[2],strings:k,ctor:at[1]==="."?xt:at[1]==="?"?wt:at[1]==="@"?_t:z}),s.removeAttribute(m)}else m.startsWith(S)&&(d.push({type:6,index:a}),s.removeAttribute(m));if(qt.test(s.tagName)){let m=s.textContent.split(S),x=m.length-1;if(x>0){s.textContent=ct?ct.emptyScript:"";for(let k=0;k<x;k++)s.append(m[k],B()),E.nextNode(),d.push({type:2,index:++a});s.append(m[x],B())}}}else if(s.nodeType===8)if(s.data===Wt)d.push({type:2,index:a});else{let m=-1;for(;(m=s.data.indexOf(S,m+1))!==-1;)d.push({type:7,index:a}),m+=S.length-1}a++}}static createElement(t,e){let i=C.createElement("template");return i.innerHTML=t,i}};function H(r,t,e=r,i){if(t===P)return t;let s=i!==void 0?e._$Co?.[i]:e._$Cl,a=V(t)?void 0:t._$litDirective$;return s?.constructor!==a&&(s?._$AO?.(!1),a===void 0?s=void 0:(s=new a(r),s._$AT(r,e,i)),i!==void 0?(e._$Co??=[])[i]=s:e._$Cl=s),s!==void 0&&(t=H(r,s._$AS(r,t.values),s,i)),t}var yt=class{constructor(t,e){this._$AV=[],this._$AN=void 0,this._$AD=t,this._$AM=e}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(t){let{el:{content:e},parts:i}=this._$AD,s=(t?.creationScope??C).importNode(e,!0);E.currentNode=s;let a=E.nextNode(),n=0,h=0,d=i[0];for(;d!==void 0;){if(n===d.index){let p;d.type===2?p=new q(a,a.nextSibling,this,t):d.type===1?p=new d.ctor(a,d.name,d.strings,this,t):d.type===6&&(p=new kt(a,this,t)),this._$AV.push(p),d=i[++h]}n!==d?.index&&(a=E.nextNode(),n++)}return E.currentNode=C,s}p(t){let e=0;for(let i of this._$AV)i!==void 0&&(i.strings!==void 0?(i._$AI(t,i,e),e+=i.strings.length-2):i._$AI(t[e])),e++}},q=class r{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(t,e,i,s){this.type=2,this._$AH=c,this._$AN=void 0,this._$AA=t,this._$AB=e,this._$AM=i,this.options=s,this._$Cv=s?.isConnected??!0}get parentNode(){let t=this._$AA.parentNode,e=this._$AM;return e!==void 0&&t?.nodeType===11&&(t=e.parentNode),t}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(t,e=this){t=H(this,t,e),V(t)?t===c||t==null||t===""?(this._$AH!==c&&this._$AR(),this._$AH=c):t!==this._$AH&&t!==P&&this._(t):t._$litType$!==void 0?this.$(t):t.nodeType!==void 0?this.T(t):he(t)?this.k(t):this._(t)}O(t){return this._$AA.parentNode.insertBefore(t,this._$AB)}T(t){this._$AH!==t&&(this._$AR(),this._$AH=this.O(t))}_(t){this._$AH!==c&&V(this._$AH)?this._$AA.nextSibling.data=t:this.T(C.createTextNode(t)),this._$AH=t}$(t){let{values:e,_$litType$:i}=t,s=typeof i=="number"?this._$AC(t):(i.el===void 0&&(i.el=W.createElement(Kt(i.h,i.h[0]),this.options)),i);if(this._$AH?._$AD===s)this._$AH.p(e);else{let a=new yt(s,this),n=a.u(this.options);a.p(e),this.T(n),this._$AH=a}}_$AC(t){let e=Bt.get(t.strings);return e===void 0&&Bt.set(t.strings,e=new W(t)),e}k(t){At(this._$AH)||(this._$AH=[],this._$AR());let e=this._$AH,i,s=0;for(let a of t)s===e.length?e.push(i=new r(this.O(B()),this.O(B()),this,this.options)):i=e[s],i._$AI(a),s++;s<e.length&&(this._$AR(i&&i._$AB.nextSibling,s),e.length=s)}_$AR(t=this._$AA.nextSibling,e){for(this._$AP?.(!1,!0,e);t!==this._$AB;){let i=zt(t).nextSibling;zt(t).remove(),t=i}}setConnected(t){this._$AM===void 0&&(this._$Cv=t,this._$AP?.(t))}},z=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(t,e,i,s,a){this.type=1,this._$AH=c,this._$AN=void 0,this.element=t,this.name=e,this._$AM=s,this.options=a,i.length>2||i[0]!==""||i[1]!==""?(this._$AH=Array(i.length-1).fill(new String),this.strings=i):this._$AH=c}_$AI(t,e=this,i,s){let a=this.strings,n=!1;if(a===void 0)t=H(this,t,e,0),n=!V(t)||t!==this._$AH&&t!==P,n&&(this._$AH=t);else{let h=t,d,p;for(t=a[0],d=0;d<a.length-1;d++)p=H(this,h[i+d],e,d),p===P&&(p=this._$AH[d]),n||=!V(p)||p!==this._$AH[d],p===c?t=c:t!==c&&(t+=(p??"")+a[d+1]),this._$AH[d]=p}n&&!s&&this.j(t)}j(t){t===c?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,t??"")}},xt=class extends z{constructor(){super(...arguments),this.type=3}j(t){this.element[this.name]=t===c?void 0:t}},wt=class extends z{constructor(){super(...arguments),this.type=4}j(t){this.element.toggleAttribute(this.name,!!t&&t!==c)}},_t=class extends z{constructor(t,e,i,s,a){super(t,e,i,s,a),this.type=5}_$AI(t,e=this){if((t=H(this,t,e,0)??c)===P)return;let i=this._$AH,s=t===c&&i!==c||t.capture!==i.capture||t.once!==i.once||t.passive!==i.passive,a=t!==c&&(i===c||s);s&&this.element.removeEventListener(this.name,this,i),a&&this.element.addEventListener(this.name,this,t),this._$AH=t}handleEvent(t){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,t):this._$AH.handleEvent(t)}},kt=class{constructor(t,e,i){this.element=t,this.type=6,this._$AN=void 0,this._$AM=e,this.options=i}get _$AU(){return this._$AM._$AU}_$AI(t){H(this,t)}};var ue=St.litHtmlPolyfillSupport;ue?.(W,q),(St.litHtmlVersions??=[]).push("3.3.3");var Gt=(r,t,e)=>{let i=e?.renderBefore??t,s=i._$litPart$;if(s===void 0){let a=e?.renderBefore??null;i._$litPart$=s=new q(t.insertBefore(B(),a),a,void 0,e??{})}return s._$AI(r),s};var Ct=globalThis,f=class extends w{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let t=super.createRenderRoot();return this.renderOptions.renderBefore??=t.firstChild,t}update(t){let e=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(t),this._$Do=Gt(e,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return P}};f._$litElement$=!0,f.finalized=!0,Ct.litElementHydrateSupport?.({LitElement:f});var me=Ct.litElementPolyfillSupport;me?.({LitElement:f});(Ct.litElementVersions??=[]).push("4.2.2");var L=class{constructor(t){this.hass=t}call(t,e={}){return this.hass.callWS({type:`anpr/v1/${t}`,...e})}info(){return this.call("info")}sightings(t,e,i=50){return this.call("sightings/list",{...t,limit:i,...e?{cursor:e}:{}})}subscribe(t,e){return this.hass.connection.subscribeMessage(e,{type:"anpr/v1/sightings/subscribe",...t})}sighting(t){return this.call("sightings/get",{sighting_id:t})}lists(){return this.call("lists/get")}setEntry(t){return this.call("lists/entry/set",{...t})}removeEntry(t,e){return this.call("lists/entry/remove",{plate:t,group:e})}importCsv(t,e){return this.call("lists/import",{csv:t,replace:e})}misread(t,e){return this.call("sightings/misread",{sighting_id:t,plate:e})}deleteSighting(t){return this.call("sightings/delete",{sighting_id:t})}purgePlate(t){return this.call("sightings/purge_plate",{plate:t})}exportCsv(t){return this.call("sightings/export",{...t})}vehicles(){return this.call("vehicles")}cameras(){return this.call("cameras")}};function $(r){return r&&typeof r=="object"&&"message"in r?String(r.message):String(r)}var l={title:"ANPR",tabs:{sightings:"Sightings",lists:"Lists",vehicles:"Vehicles",cameras:"Cameras"},menu:"Open the sidebar",loading:"Loading…",loadMore:"Load more",noSightings:"No sightings match these filters.",error:"Something went wrong: {error}",retry:"Retry",back:"Back to sightings",close:"Close",cancel:"Cancel",save:"Save",confirm:"Confirm",filters:{label:"Filters",plate:"Plate",plateMatch:"Match",exact:"Exact",prefix:"Starts with",fuzzy1:"Similar (1 edit)",fuzzy2:"Similar (2 edits)",camera:"Camera",status:"Status",list:"List",direction:"Direction",from:"From",to:"To",any:"Any",clear:"Clear filters",more:"More filters",fewer:"Fewer filters",export:"Export CSV"},status:{known:"Known",unknown:"Unknown",alert:"Alert",ignored:"Ignored"},direction:{in:"In",out:"Out",unknown:"Unknown direction"},columns:{picture:"Picture",plate:"Plate",camera:"Camera",time:"Time",direction:"Direction",status:"Status",confidence:"Confidence",reads:"Reads",description:"Vehicle"},noPicture:"No picture",pictureOf:"Picture of {plate}",readsMerged:"{n} reads merged",detail:{title:"Sighting of {plate}",attributes:"Details",readAs:"Read as",list:"List",history:"This plate's history",count:"Sightings of this plate",firstSeen:"First seen",lastSeen:"Last seen",hours:"Sightings per hour of day",previous:"Previous sightings",listEntries:"On lists",notListed:"Not on any list",never:"Never",dvla:"DVLA vehicle record"},actions:{label:"Actions",addToList:"Add to a list",editEntry:"Edit list entry",misread:"Mark as misread",misreadPrompt:"This was actually plate",delete:"Delete this sighting",deleteConfirm:"Delete this sighting and its pictures?",purge:"Purge this plate's history",purgeConfirm:"Delete every sighting of {plate} with their pictures? This cannot be undone.",done:"Done"},entry:{plate:"Plate",list:"List",description:"Description",aliases:"Alternative readings (comma separated)",cameras:"Only at cameras",allCameras:"All cameras",validity:"Validity (e.g. Mon-Fri 08:00-18:00)"},lists:{add:"Add plate",edit:"Edit",remove:"Remove",removeConfirm:"Remove {plate} from {list}?",empty:"No plates on this list.",import:"Import CSV",importHelp:"Paste CSV rows: plate,list,description,validity,alternative readings,cameras (several separated by ;)",importDone:"{added} added, {rejected} rejected",rejectedRow:"Line {line}: {plate} — {error}",export:"Export CSV",replace:"Replace the lists' plates",validity:"Validity",aliases:"Alternative readings",cameras:"Cameras"},vehicles:{empty:"No vehicles: add plates to a list that tracks vehicles.",onSite:"On site",away:"Away",lastSeen:"Last seen",lastCamera:"Last camera",name:"Vehicle",presence:"Presence"},cameras:{empty:"No cameras yet: add one on the ANPR integration page.",name:"Camera",state:"Connection",connected:"Connected",disconnected:"Disconnected",push:"Waiting for pushes",stopped:"Not running",lastRead:"Last sighting",hour:"Last hour",day:"Last 24 hours",settings:"Settings"},readOnly:"Only administrators can change lists or sightings.",card:{name:"ANPR sightings",description:"The latest number-plate sightings with their pictures.",title:"Title",count:"Number of sightings",cameras:"Cameras (empty: all)",statuses:"Statuses (empty: all)",defaultTitle:"Latest sightings",openPanel:"Open in the ANPR panel"}};function g(r,t){return r.replace(/\{(\w+)\}/g,(e,i)=>i in t?String(t[i]):e)}var R={plate:"",match:"exact",camera:"",status:"",list:"",direction:"",from:"",to:""};function Zt(r){if(!r)return;let t=new Date(r);return Number.isNaN(t.getTime())?void 0:t.toISOString()}function dt(r){let t={},e=r.plate.trim();e&&(t.plate=e.slice(0,20),r.match==="prefix"?t.plate_match="prefix":(r.match==="fuzzy1"||r.match==="fuzzy2")&&(t.plate_match="fuzzy",t.distance=r.match==="fuzzy2"?2:1)),r.camera&&(t.cameras=[r.camera]),r.status&&(t.statuses=[r.status]),r.list&&(t.lists=[r.list]),r.direction&&(t.directions=[r.direction]);let i=Zt(r.from),s=Zt(r.to);return i&&(t.start=i),s&&(t.end=s),t}var Qt=Object.keys(R);function Jt(r){let t=new URLSearchParams(r),e={...R};for(let i of Qt){let s=t.get(i);s!==null&&(e[i]=s.slice(0,100))}return["exact","prefix","fuzzy1","fuzzy2"].includes(e.match)||(e.match="exact"),e}function Yt(r){let t=new URLSearchParams;for(let i of Qt){let s=r[i];s&&!(i==="match"&&s==="exact")&&t.set(i,s)}let e=t.toString();return e?`?${e}`:""}function Xt(r){let t=r.split("/").filter(Boolean);return t[0]==="sighting"&&t[1]&&/^\d{1,16}$/.test(t[1])?{view:"sighting",id:Number(t[1])}:t[0]==="lists"||t[0]==="vehicles"||t[0]==="cameras"?{view:t[0]}:{view:"sightings"}}function ge(r,t){let e=Date.parse(r.time);return Date.parse(t.time)-e||t.id-r.id}function K(r,t,e){let i=r.findIndex(a=>a.id===t.sighting.id);if(i>=0){let a=r.slice();return a[i]=t.sighting,a}if(t.event!=="added")return r;let s=[t.sighting,...r].sort(ge);return e!==void 0?s.slice(0,e):s}function M(r){return r.locale?.time_zone==="server"?r.config?.time_zone:void 0}function O(r){return r.locale?.language||r.language||"en"}function T(r,t,e="en"){let i=Math.round((Date.parse(r)-t)/1e3),s=[["year",31536e3],["month",2592e3],["week",604800],["day",86400],["hour",3600],["minute",60],["second",1]],a=new Intl.RelativeTimeFormat(e,{numeric:"auto"});for(let[n,h]of s)if(Math.abs(i)>=h||n==="second")return a.format(Math.round(i/h),n);return a.format(0,"second")}function F(r,t="en",e){return new Intl.DateTimeFormat(t,{dateStyle:"medium",timeStyle:"medium",timeZone:e}).format(new Date(r))}function ht(r){return r==null?"":`${Math.round(r*100)} %`}function te(r){let t=Math.max(0,...r);return r.map(e=>t?e/t:0)}function pt(r){return[...new Set(r.split(/[,;\n]/).map(t=>t.trim()).filter(Boolean))]}function ut(r,t){return`anpr-${r}-${t.toISOString().slice(0,10)}.csv`}function N(r){let t=i=>Array.isArray(i)?i.filter(s=>typeof s=="string"):[],e=Number(r.count??5);return{type:String(r.type??"custom:anpr-sightings-card"),title:typeof r.title=="string"?r.title:void 0,count:Number.isFinite(e)?Math.min(50,Math.max(1,Math.round(e))):5,cameras:t(r.cameras),statuses:t(r.statuses).filter(i=>["known","unknown","alert","ignored"].includes(i))}}function Pt(r){let t={};return r.cameras.length&&(t.cameras=r.cameras),r.statuses.length&&(t.statuses=r.statuses),t}var _="/anpr";function D(r){history.pushState(null,"",r),window.dispatchEvent(new CustomEvent("location-changed",{detail:{replace:!1}}))}function mt(r,t){let e=URL.createObjectURL(new Blob([t],{type:"text/csv;charset=utf-8"})),i=document.createElement("a");i.href=e,i.download=r,document.body.append(i),i.click(),i.remove(),setTimeout(()=>URL.revokeObjectURL(e),1e3)}var y=v`
  :host {
    --anpr-gap: 12px;
    --anpr-radius: var(--ha-card-border-radius, 12px);
    --anpr-bg: var(--card-background-color, var(--ha-card-background, #fff));
    --anpr-text: var(--primary-text-color, #212121);
    --anpr-muted: var(--secondary-text-color, #727272);
    --anpr-divider: var(--divider-color, rgba(0, 0, 0, 0.12));
    --anpr-primary: var(--primary-color, #03a9f4);
    --anpr-on-primary: var(--text-primary-color, #fff);
    --anpr-known: var(--success-color, #43a047);
    --anpr-unknown: var(--info-color, #039be5);
    --anpr-alert: var(--error-color, #db4437);
    --anpr-ignored: var(--disabled-text-color, #9e9e9e);
    color: var(--anpr-text);
    font-family: var(--paper-font-body1_-_font-family, var(--ha-font-family-body, Roboto, sans-serif));
  }
  .plate {
    font-family: "DejaVu Sans Mono", "Roboto Mono", ui-monospace, monospace;
    font-weight: 700;
    letter-spacing: 0.06em;
    font-size: 1.25rem;
    padding: 2px 8px;
    border-radius: 4px;
    background: #ffd400;
    color: #111;
    border: 1px solid #111;
    white-space: nowrap;
  }
  .badge {
    display: inline-block;
    padding: 1px 8px;
    border-radius: 10px;
    font-size: 0.8rem;
    color: #fff;
    background: var(--anpr-unknown);
    white-space: nowrap;
  }
  .badge.known { background: var(--anpr-known); }
  .badge.alert { background: var(--anpr-alert); }
  .badge.ignored { background: var(--anpr-ignored); }
  .muted { color: var(--anpr-muted); }
  button, .button {
    font: inherit;
    cursor: pointer;
    border: 1px solid var(--anpr-primary);
    color: var(--anpr-primary);
    background: transparent;
    padding: 6px 12px;
    border-radius: 18px;
    text-decoration: none;
    display: inline-block;
  }
  button.primary { background: var(--anpr-primary); color: var(--anpr-on-primary); }
  button.danger { border-color: var(--anpr-alert); color: var(--anpr-alert); }
  button:disabled { opacity: 0.5; cursor: default; }
  button:focus-visible, a:focus-visible, input:focus-visible, select:focus-visible,
  textarea:focus-visible {
    outline: 2px solid var(--anpr-primary);
    outline-offset: 2px;
  }
  input, select, textarea {
    font: inherit;
    color: var(--anpr-text);
    background: var(--input-fill-color, var(--secondary-background-color, #f5f5f5));
    border: 1px solid var(--anpr-divider);
    border-radius: 6px;
    padding: 6px 8px;
    box-sizing: border-box;
  }
  label { display: flex; flex-direction: column; gap: 4px; font-size: 0.85rem; }
  .card {
    background: var(--anpr-bg);
    border-radius: var(--anpr-radius);
    box-shadow: var(--ha-card-box-shadow, none);
    border: 1px solid var(--anpr-divider);
    padding: var(--anpr-gap);
  }
  .error { color: var(--anpr-alert); }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--anpr-divider); }
  th { font-weight: 500; color: var(--anpr-muted); font-size: 0.85rem; }
`,G=class extends f{constructor(){super(...arguments);this.src=null;this.label="";this.full=!1;this.failed=!1}willUpdate(e){e.has("src")&&(this.failed=!1)}render(){return!this.src||this.failed?o`<div class="placeholder" role="img" aria-label=${l.noPicture}>
        <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M5 11l1.5-4.5h11L19 11m-1.5 5a1.5 1.5 0 1 1 0-3 1.5 1.5 0 0 1 0 3m-11 0a1.5 1.5 0 1 1 0-3 1.5 1.5 0 0 1 0 3M18.9 6c-.2-.6-.8-1-1.4-1h-11c-.7 0-1.2.4-1.4 1L3 12v8a1 1 0 0 0 1 1h1a1 1 0 0 0 1-1v-1h12v1a1 1 0 0 0 1 1h1a1 1 0 0 0 1-1v-8z"/></svg>
      </div>`:o`<img
      src=${this.src}
      alt=${this.label}
      loading="lazy"
      decoding="async"
      @error=${()=>this.failed=!0}
    />`}};G.properties={src:{type:String},label:{type:String},full:{type:Boolean},failed:{state:!0}},G.styles=v`
    :host { display: block; }
    img, .placeholder {
      display: block;
      width: 100%;
      aspect-ratio: 4 / 3;
      object-fit: cover;
      border-radius: 6px;
      background: var(--secondary-background-color, #eee);
    }
    :host([full]) img { aspect-ratio: auto; object-fit: contain; max-height: 70vh; }
    .placeholder {
      display: flex;
      align-items: center;
      justify-content: center;
      color: var(--secondary-text-color, #727272);
      font-size: 0.75rem;
    }
    svg { width: 40%; height: 40%; fill: currentColor; opacity: 0.6; }
  `;function Z(r,t,e,i={}){let s=O(r),a=M(r),n=F(t.time,s,a),h=`${_}/sighting/${t.id}`,d=p=>{p.ctrlKey||p.metaKey||p.shiftKey||p.button!==0||(p.preventDefault(),D(h))};return o`<a
    class="row ${i.compact?"compact":""}"
    href=${h}
    @click=${d}
    data-sighting=${t.id}
    aria-label="${t.plate}, ${t.camera??""}, ${n}"
  >
    <anpr-thumb .src=${t.thumbnail} .label=${g(l.pictureOf,{plate:t.plate})}></anpr-thumb>
    <div class="main">
      <div class="line1">
        <span class="plate">${t.plate}</span>
        ${t.reads>1?o`<span class="muted" title=${g(l.readsMerged,{n:t.reads})}>×${t.reads}</span>`:c}
        <span class="badge ${t.status}">${l.status[t.status]??t.status}${t.list&&t.status!=="unknown"?o` · ${t.list}`:c}</span>
      </div>
      <div class="line2 muted">
        <time datetime=${t.time} title=${n}>${T(t.time,e,s)}</time>
        · ${t.camera??t.camera_id}
        ${t.direction&&t.direction!=="unknown"?o`· ${l.direction[t.direction]??t.direction}`:c}
        ${t.confidence!==null?o`· ${ht(t.confidence)}`:c}
      </div>
      ${t.description&&!i.compact?o`<div class="line3">${t.description}</div>`:c}
      ${i.compact?c:o`<div class="abs muted">${n}</div>`}
    </div>
  </a>`}var Q=v`
  .row {
    display: grid;
    grid-template-columns: 128px 1fr;
    gap: var(--anpr-gap);
    align-items: center;
    padding: 8px;
    color: inherit;
    text-decoration: none;
    border-bottom: 1px solid var(--anpr-divider);
  }
  .row:hover { background: var(--secondary-background-color, rgba(0, 0, 0, 0.04)); }
  .row.compact { grid-template-columns: 88px 1fr; padding: 6px 0; }
  .main { display: flex; flex-direction: column; gap: 4px; min-width: 0; }
  .line1 { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
  .line2, .abs { font-size: 0.85rem; }
  .line3 { font-size: 0.9rem; }
`;function b(r,t){customElements.get(r)||customElements.define(r,t)}b("anpr-thumb",G);var ee=50,J=class extends f{constructor(){super(...arguments);this.narrow=!1;this.expanded=!1;this.form={...R};this.rows=[];this.cursor=null;this.loading=!1;this.error="";this.now=Date.now();this.generation=0}connectedCallback(){super.connectedCallback(),this.clock=window.setInterval(()=>this.now=Date.now(),3e4),this.api&&this.reload()}disconnectedCallback(){super.disconnectedCallback(),window.clearInterval(this.clock),this.observer?.disconnect(),this.stopLive()}willUpdate(e){(e.has("api")||e.has("form"))&&this.api&&this.isConnected&&this.reload()}firstUpdated(){this.observer=new IntersectionObserver(i=>{i.some(s=>s.isIntersecting)&&this.cursor&&!this.loading&&this.loadMore()});let e=this.renderRoot.querySelector(".more");e&&this.observer.observe(e)}stopLive(){let e=this.unsubscribe;this.unsubscribe=void 0,e?.then(i=>i()).catch(()=>{})}async reload(){let e=++this.generation,i=dt(this.form);this.stopLive(),this.loading=!0,this.error="";let s=[],a=!1;this.unsubscribe=this.api.subscribe(i,n=>{e===this.generation&&(a?this.rows=K(this.rows,n):s.push(n))});try{await this.unsubscribe;let n=await this.api.sightings(i,null,ee);if(e!==this.generation)return;let h=n.sightings;for(let d of s)h=K(h,d);a=!0,this.rows=h,this.cursor=n.next_cursor}catch(n){e===this.generation&&(this.error=$(n))}finally{e===this.generation&&(this.loading=!1)}}async loadMore(){if(!this.cursor)return;let e=this.generation;this.loading=!0;try{let i=await this.api.sightings(dt(this.form),this.cursor,ee);if(e!==this.generation)return;let s=new Set(this.rows.map(a=>a.id));this.rows=[...this.rows,...i.sightings.filter(a=>!s.has(a.id))],this.cursor=i.next_cursor}catch(i){this.error=$(i)}finally{this.loading=!1}}onFilter(e){e.preventDefault();let i=new FormData(this.renderRoot.querySelector("form")),s={...R};for(let a of Object.keys(R))s[a]=String(i.get(a)??"");this.setForm(s)}setForm(e){this.form=e,history.replaceState(null,"",`${_}/sightings${Yt(e)}`)}async onExport(){try{let e=await this.api.exportCsv(dt(this.form));mt(ut("sightings",new Date),e.csv)}catch(e){this.error=$(e)}}select(e,i,s){return o`<label class="extra"
      >${i}
      <select name=${e} @change=${this.onFilter}>
        <option value="">${l.filters.any}</option>
        ${s.map(([a,n])=>o`<option value=${a} ?selected=${this.form[e]===a}>${n}</option>`)}
      </select>
    </label>`}render(){let e=l.filters,i=[...new Set(this.info.lists.map(s=>s.name))];return o`
      <form @submit=${this.onFilter} aria-label=${e.label} role="search"
        class=${this.expanded?"":"folded"}>
        <label
          >${e.plate}
          <input
            name="plate"
            type="search"
            maxlength="20"
            autocomplete="off"
            spellcheck="false"
            .value=${this.form.plate}
            @change=${this.onFilter}
          />
        </label>
        <label class="extra"
          >${e.plateMatch}
          <select name="match" @change=${this.onFilter}>
            ${[["exact",e.exact],["prefix",e.prefix],["fuzzy1",e.fuzzy1],["fuzzy2",e.fuzzy2]].map(([s,a])=>o`<option value=${s} ?selected=${this.form.match===s}>${a}</option>`)}
          </select>
        </label>
        ${this.select("camera",e.camera,this.info.cameras.map(s=>[s.id,s.name]))}
        ${this.select("status",e.status,this.info.statuses.map(s=>[s,l.status[s]??s]))}
        ${this.select("list",e.list,i.map(s=>[s,s]))}
        ${this.select("direction",e.direction,this.info.directions.map(s=>[s,l.direction[s]??s]))}
        <label class="extra"
          >${e.from}
          <input name="from" type="datetime-local" .value=${this.form.from} @change=${this.onFilter} />
        </label>
        <label class="extra"
          >${e.to}
          <input name="to" type="datetime-local" .value=${this.form.to} @change=${this.onFilter} />
        </label>
        <div class="buttons">
          <button type="button" class="toggle" aria-expanded=${this.expanded?"true":"false"}
            @click=${()=>this.expanded=!this.expanded}>${this.expanded?e.fewer:e.more}</button>
          <button type="button" class="extra" @click=${()=>this.setForm({...R})}>${e.clear}</button>
          <button type="button" class="extra" @click=${this.onExport}>${e.export}</button>
        </div>
      </form>
      ${this.error?o`<p class="error" role="alert">
            ${g(l.error,{error:this.error})}
            <button @click=${()=>this.reload()}>${l.retry}</button>
          </p>`:c}
      <div class="card list" role="list" aria-busy=${this.loading?"true":"false"}>
        ${this.rows.map(s=>o`<div role="listitem">${Z(this.hass,s,this.now)}</div>`)}
        ${!this.loading&&!this.rows.length&&!this.error?o`<p class="muted" style="padding: 12px">${l.noSightings}</p>`:c}
      </div>
      <div class="more">
        ${this.loading?o`<span class="muted">${l.loading}</span>`:this.cursor?o`<button @click=${()=>this.loadMore()}>${l.loadMore}</button>`:c}
      </div>
    `}};J.properties={hass:{attribute:!1},api:{attribute:!1},info:{attribute:!1},narrow:{type:Boolean},form:{attribute:!1},rows:{state:!0},cursor:{state:!0},loading:{state:!0},error:{state:!0},now:{state:!0},expanded:{state:!0}},J.styles=[y,Q,v`
      :host { display: block; }
      form {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(150px, 1fr));
        gap: 8px;
        align-items: end;
        margin-bottom: var(--anpr-gap);
      }
      .buttons { display: flex; gap: 8px; flex-wrap: wrap; }
      .list { padding: 0; }
      .more { display: flex; justify-content: center; padding: var(--anpr-gap); }
      :host([narrow]) form { grid-template-columns: 1fr 1fr; }
      .toggle { display: none; }
      :host([narrow]) .toggle { display: inline-block; }
      :host([narrow]) form.folded .extra { display: none; }
      :host([narrow]) .row { grid-template-columns: 96px 1fr; }
      :host([narrow]) .abs { display: none; }
    `];var Y=class extends f{constructor(){super(...arguments);this.sightingId=0;this.narrow=!1;this.error="";this.message="";this.mode=""}willUpdate(e){(e.has("sightingId")||e.has("api"))&&this.api&&this.sightingId&&this.load()}disconnectedCallback(){super.disconnectedCallback(),this.stopLive()}stopLive(){let e=this.unsubscribe;this.unsubscribe=void 0,e?.then(i=>i()).catch(()=>{})}async load(){this.error="";try{let e=await this.api.sighting(this.sightingId);(this.detail?.sighting.plate!==e.sighting.plate||!this.unsubscribe)&&(this.stopLive(),this.unsubscribe=this.api.subscribe({plate:e.sighting.plate},i=>{this.detail&&i.sighting.id===this.detail.sighting.id&&(this.detail={...this.detail,sighting:i.sighting})}),this.unsubscribe.catch(()=>{})),this.detail=e}catch(e){this.error=$(e)}}async act(e,i){this.error="";try{await e(),this.message=l.actions.done,this.mode="",i?i():await this.load()}catch(s){this.error=$(s)}}onAdd(e){e.preventDefault();let i=new FormData(e.target),s=n=>String(i.get(n)??"").trim(),a=this.detail?.list_entries.find(n=>n.group===s("original_group"));this.act(()=>this.api.setEntry({plate:s("plate"),group:s("group"),description:s("description")||null,aliases:pt(s("aliases")),cameras:i.getAll("cameras").map(String).filter(Boolean),validity:s("validity")||null,...a?{original_plate:a.plate,original_group:a.group}:{}}))}onMisread(e){e.preventDefault();let i=String(new FormData(e.target).get("plate")??"");this.act(()=>this.api.misread(this.sightingId,i))}hours(e){let i=te(e);return o`<svg class="hours" viewBox="0 0 240 80" role="img" aria-label=${l.detail.hours}>
      ${i.map((s,a)=>o`<rect x=${a*10+1} y=${66-s*60} width="8"
            height=${Math.max(s*60,e[a]?1:0)}>
            <title>${a}:00 — ${e[a]}</title></rect>`)}
      ${[0,6,12,18].map(s=>o`<text x=${s*10+1} y="78">${String(s).padStart(2,"0")}</text>`)}
    </svg>`}entryForm(){let e=this.detail,i=e.list_entries[0],s=l.entry;return o`<form @submit=${this.onAdd} aria-label=${i?l.actions.editEntry:l.actions.addToList}>
      <input type="hidden" name="original_group" value=${i?.group??""} />
      <label>${s.plate}<input name="plate" required maxlength="20" .value=${i?.plate??e.sighting.plate} /></label>
      <label
        >${s.list}
        <select name="group" required>
          ${this.info.lists.map(a=>o`<option value=${a.id} ?selected=${(i?.group??"allowed")===a.id}>${a.name}</option>`)}
        </select>
      </label>
      <label>${s.description}<input name="description" maxlength="100" .value=${i?.description??""} /></label>
      <label>${s.aliases}<input name="aliases" .value=${i?.aliases.join(", ")??""} /></label>
      <label
        >${s.cameras}
        <select name="cameras" multiple size=${Math.min(4,this.info.cameras.length+1)}>
          ${this.info.cameras.map(a=>o`<option value=${a.id} ?selected=${i?.cameras.includes(a.id)}>${a.name}</option>`)}
        </select>
      </label>
      <label>${s.validity}<input name="validity" maxlength="500" .value=${i?.validity??""} /></label>
      <div class="actions">
        <button class="primary" type="submit">${l.save}</button>
        <button type="button" @click=${()=>this.mode=""}>${l.cancel}</button>
      </div>
    </form>`}actions(){let e=this.detail,i=l.actions;if(!this.info.admin)return o`<p class="muted">${l.readOnly}</p>`;let s=(a,n)=>o`<p role="alert">${a}</p>
        <div class="actions">
          <button class="danger" @click=${n}>${l.confirm}</button>
          <button @click=${()=>this.mode=""}>${l.cancel}</button>
        </div>`;return o`
      <div class="actions">
        <button class="primary" @click=${()=>this.mode="add"}>
          ${e.list_entries.length?i.editEntry:i.addToList}
        </button>
        <button @click=${()=>this.mode="misread"}>${i.misread}</button>
        <button class="danger" @click=${()=>this.mode="delete"}>${i.delete}</button>
        <button class="danger" @click=${()=>this.mode="purge"}>${i.purge}</button>
      </div>
      ${this.mode==="add"?this.entryForm():c}
      ${this.mode==="misread"?o`<form @submit=${this.onMisread}>
            <label>${i.misreadPrompt}<input name="plate" required maxlength="20" /></label>
            <div class="actions"><button class="primary" type="submit">${l.save}</button>
              <button type="button" @click=${()=>this.mode=""}>${l.cancel}</button></div>
          </form>`:c}
      ${this.mode==="delete"?s(i.deleteConfirm,()=>this.act(()=>this.api.deleteSighting(e.sighting.id),()=>D(`${_}/sightings`))):c}
      ${this.mode==="purge"?s(g(i.purgeConfirm,{plate:e.sighting.plate}),()=>this.act(()=>this.api.purgePlate(e.sighting.plate),()=>D(`${_}/sightings`))):c}
    `}render(){let e=o`<a class="button" href="${_}/sightings"
      @click=${u=>{u.preventDefault(),history.back()}}>← ${l.back}</a>`;if(this.error&&!this.detail)return o`${e}<p class="error" role="alert">${g(l.error,{error:this.error})}</p>`;if(!this.detail)return o`${e}<p class="muted">${l.loading}</p>`;let{sighting:i,plate:s,previous:a}=this.detail,n=O(this.hass),h=M(this.hass),d=u=>u?F(u,n,h):l.detail.never,p=l.columns;return o`
      <div class="top">${e}<span class="plate" style="font-size: 1.6rem">${i.plate}</span>
        <span class="badge ${i.status}">${l.status[i.status]}</span></div>
      ${this.message?o`<p role="status">${this.message}</p>`:c}
      ${this.error?o`<p class="error" role="alert">${g(l.error,{error:this.error})}</p>`:c}
      <div class="grid">
        <section class="card">
          ${i.picture?o`<anpr-thumb full .src=${i.picture} .label=${g(l.pictureOf,{plate:i.plate})}></anpr-thumb>`:o`<anpr-thumb full .src=${i.thumbnail} .label=${g(l.pictureOf,{plate:i.plate})}></anpr-thumb>`}
        </section>
        <div>
          <section class="card">
            <h2>${l.detail.attributes}</h2>
            <dl>
              <dt>${p.time}</dt><dd><time datetime=${i.time}>${d(i.time)}</time>
                <span class="muted">(${T(i.time,Date.now(),n)})</span></dd>
              <dt>${p.camera}</dt><dd>${i.camera??i.camera_id}</dd>
              <dt>${p.direction}</dt><dd>${l.direction[i.direction??"unknown"]??i.direction}</dd>
              <dt>${p.status}</dt><dd>${l.status[i.status]}${i.list?` · ${i.list}`:""}</dd>
              <dt>${p.confidence}</dt><dd>${ht(i.confidence)||"—"}</dd>
              <dt>${p.reads}</dt><dd>${i.reads}</dd>
              <dt>${l.detail.readAs}</dt><dd>${i.read_plate??i.plate}</dd>
              <dt>${p.description}</dt><dd>${i.description??"—"}</dd>
            </dl>
          </section>
          <section class="card">
            <h2>${l.actions.label}</h2>
            ${this.actions()}
          </section>
        </div>
      </div>
      ${this.detail.reginfo?o`<section class="card">
            <h2>${l.detail.dvla}</h2>
            <dl>${Object.entries(this.detail.reginfo).map(([u,m])=>o`<dt>${u}</dt><dd>${String(m)}</dd>`)}</dl>
          </section>`:c}
      <section class="card">
        <h2>${l.detail.history}</h2>
        <dl>
          <dt>${l.detail.count}</dt><dd>${s.count}</dd>
          <dt>${l.detail.firstSeen}</dt><dd>${d(s.first_seen)}</dd>
          <dt>${l.detail.lastSeen}</dt><dd>${d(s.last_seen)}</dd>
          <dt>${l.detail.listEntries}</dt>
          <dd>${this.detail.list_entries.length?this.detail.list_entries.map(u=>{let m=this.info.lists.find(x=>x.id===u.group);return o`<div>${m?.name??u.group}${u.description?` — ${u.description}`:""}${u.validity?` (${u.validity})`:""}</div>`}):l.detail.notListed}</dd>
        </dl>
        <h2 style="margin-top: 12px">${l.detail.hours}</h2>
        ${this.hours(s.hours)}
        <h2>${l.detail.previous}</h2>
        ${a.map(u=>Z(this.hass,u,Date.now(),{compact:!0}))}
      </section>
    `}};Y.properties={hass:{attribute:!1},api:{attribute:!1},info:{attribute:!1},sightingId:{type:Number},narrow:{type:Boolean},detail:{state:!0},error:{state:!0},message:{state:!0},mode:{state:!0}},Y.styles=[y,Q,v`
      :host { display: block; }
      .top { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin-bottom: 12px; }
      .grid { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 12px; }
      :host([narrow]) .grid { grid-template-columns: 1fr; }
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 0; }
      dt { color: var(--anpr-muted); }
      dd { margin: 0; }
      h2 { font-size: 1.1rem; margin: 0 0 8px; font-weight: 500; }
      section { margin-bottom: 12px; }
      .actions { display: flex; gap: 8px; flex-wrap: wrap; }
      form { display: grid; gap: 8px; margin-top: 8px; }
      svg.hours { width: 100%; height: 80px; }
      svg.hours rect { fill: var(--anpr-primary); }
      svg.hours text { fill: var(--anpr-muted); font-size: 9px; }
    `];b("anpr-sightings-view",J);b("anpr-sighting-detail",Y);var Lt=v`
  :host { display: block; }
  section { margin-bottom: 12px; }
  h2 { font-size: 1.1rem; margin: 0 0 8px; font-weight: 500; }
  form.entry { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 8px; align-items: end; }
  .actions { display: flex; gap: 8px; flex-wrap: wrap; }
  textarea { width: 100%; min-height: 6em; }
  .scroll { overflow-x: auto; }
  :host([narrow]) .wide { display: none; }
`,X=class extends f{constructor(){super(...arguments);this.narrow=!1;this.groups=[];this.entries=[];this.csv="";this.error=""}connectedCallback(){super.connectedCallback(),this.load()}async load(){try{let e=await this.api.lists();this.groups=e.groups,this.entries=e.entries,this.csv=e.csv}catch(e){this.error=$(e)}}async run(e){this.error="";try{await e(),this.editing=void 0,await this.load()}catch(i){this.error=$(i)}}onSave(e){e.preventDefault();let i=e.target,s=new FormData(i),a=h=>String(s.get(h)??"").trim(),n=this.editing;this.run(async()=>{await this.api.setEntry({plate:a("plate"),group:a("group"),description:a("description")||null,aliases:pt(a("aliases")),cameras:s.getAll("cameras").map(String).filter(Boolean),validity:a("validity")||null,...n?{original_plate:n.plate,original_group:n.group}:{}}),i.reset()})}onImport(e){e.preventDefault();let i=e.target,s=new FormData(i);this.run(async()=>{this.result=await this.api.importCsv(String(s.get("csv")??""),s.get("replace")==="on")})}cameraName(e){return this.info.cameras.find(i=>i.id===e)?.name??e}form(){let e=l.entry,i=this.editing;return o`<form class="entry card" @submit=${this.onSave} aria-label=${i?l.lists.edit:l.lists.add}>
      <label>${e.plate}<input name="plate" required maxlength="20" .value=${i?.plate??""} /></label>
      <label>${e.list}<select name="group">
        ${this.groups.map(s=>o`<option value=${s.id} ?selected=${(i?.group??"allowed")===s.id}>${s.name}</option>`)}
      </select></label>
      <label>${e.description}<input name="description" maxlength="100" .value=${i?.description??""} /></label>
      <label>${e.aliases}<input name="aliases" .value=${i?.aliases.join(", ")??""} /></label>
      <label>${e.cameras}<select name="cameras" multiple size="3">
        ${this.info.cameras.map(s=>o`<option value=${s.id} ?selected=${i?.cameras.includes(s.id)}>${s.name}</option>`)}
      </select></label>
      <label>${e.validity}<input name="validity" maxlength="500" .value=${i?.validity??""} /></label>
      <div class="actions">
        <button class="primary" type="submit">${i?l.save:l.lists.add}</button>
        ${i?o`<button type="button" @click=${()=>this.editing=void 0}>${l.cancel}</button>`:c}
      </div>
    </form>`}render(){let e=this.info.admin,i=l.lists;return o`
      ${this.error?o`<p class="error" role="alert">${g(l.error,{error:this.error})}</p>`:c}
      ${e?o`<section>${this.form()}</section>`:o`<p class="muted">${l.readOnly}</p>`}
      ${this.groups.map(s=>{let a=this.entries.filter(n=>n.group===s.id);return o`<section class="card" aria-label=${s.name}>
          <h2>${s.name} <span class="badge ${s.category==="allowed"?"known":s.category}">${a.length}</span></h2>
          ${a.length?o`<div class="scroll"><table>
                <thead><tr><th>${l.entry.plate}</th><th>${l.entry.description}</th>
                  <th class="wide">${i.aliases}</th><th class="wide">${i.cameras}</th><th>${i.validity}</th>
                  ${e?o`<th><span class="muted">${l.actions.label}</span></th>`:c}</tr></thead>
                <tbody>${a.map(n=>o`<tr>
                  <td><span class="plate">${n.plate}</span></td>
                  <td>${n.description??""}</td>
                  <td class="wide">${n.aliases.join(", ")}</td>
                  <td class="wide">${n.cameras.length?n.cameras.map(h=>this.cameraName(h)).join(", "):l.entry.allCameras}</td>
                  <td>${n.validity??""}</td>
                  ${e?o`<td class="actions">
                    <button @click=${()=>this.editing=n} aria-label="${i.edit} ${n.plate}">${i.edit}</button>
                    <button class="danger" aria-label="${i.remove} ${n.plate}"
                      @click=${()=>window.confirm(g(i.removeConfirm,{plate:n.plate,list:s.name}))&&this.run(()=>this.api.removeEntry(n.plate,s.id))}>${i.remove}</button>
                  </td>`:c}
                </tr>`)}</tbody></table></div>`:o`<p class="muted">${i.empty}</p>`}
        </section>`})}
      <section class="card">
        <div class="actions">
          <button @click=${()=>mt(ut("lists",new Date),this.csv)}>${i.export}</button>
        </div>
        ${e?o`<form @submit=${this.onImport} style="margin-top: 8px; display: grid; gap: 8px">
              <label>${i.importHelp}<textarea name="csv" required></textarea></label>
              <label style="flex-direction: row; align-items: center"><input type="checkbox" name="replace" /> ${i.replace}</label>
              <div class="actions"><button class="primary" type="submit">${i.import}</button></div>
            </form>`:c}
        ${this.result?o`<p role="status">${g(i.importDone,{added:this.result.added,rejected:this.result.rejected.length})}</p>
              <ul>${this.result.rejected.map(s=>o`<li class="error">${g(i.rejectedRow,{line:s.line,plate:s.plate||"—",error:s.error})}</li>`)}</ul>`:c}
      </section>
    `}};X.properties={hass:{attribute:!1},api:{attribute:!1},info:{attribute:!1},narrow:{type:Boolean,reflect:!0},groups:{state:!0},entries:{state:!0},csv:{state:!0},editing:{state:!0},error:{state:!0},result:{state:!0}},X.styles=[y,Lt];var tt=class extends f{constructor(){super(...arguments);this.narrow=!1;this.error=""}connectedCallback(){super.connectedCallback(),this.load(),this.unsubscribe=this.api.subscribe({},()=>this.load()),this.unsubscribe.catch(()=>{})}disconnectedCallback(){super.disconnectedCallback(),this.unsubscribe?.then(e=>e()).catch(()=>{})}async load(){try{this.vehicles=(await this.api.vehicles()).vehicles}catch(e){this.error=$(e)}}render(){let e=l.vehicles;if(this.error)return o`<p class="error" role="alert">${g(l.error,{error:this.error})}</p>`;if(!this.vehicles)return o`<p class="muted">${l.loading}</p>`;if(!this.vehicles.length)return o`<p class="muted">${e.empty}</p>`;let i=O(this.hass),s=M(this.hass);return o`<div class="card scroll"><table>
      <thead><tr><th>${e.name}</th><th>${l.entry.plate}</th><th>${e.presence}</th><th>${e.lastSeen}</th><th class="wide">${e.lastCamera}</th></tr></thead>
      <tbody>${this.vehicles.map(a=>o`<tr>
        <td>${a.name}</td>
        <td><span class="plate">${a.plate}</span></td>
        <td><span class="badge ${a.present?"known":"ignored"}">${a.present?e.onSite:e.away}</span></td>
        <td>${a.last_seen?o`<time datetime=${a.last_seen} title=${F(a.last_seen,i,s)}>${T(a.last_seen,Date.now(),i)}</time>`:l.detail.never}</td>
        <td class="wide">${a.last_camera??""}</td>
      </tr>`)}</tbody></table></div>`}};tt.properties={hass:{attribute:!1},api:{attribute:!1},narrow:{type:Boolean,reflect:!0},vehicles:{state:!0},error:{state:!0}},tt.styles=[y,Lt];var et=class extends f{constructor(){super(...arguments);this.narrow=!1;this.error=""}connectedCallback(){super.connectedCallback(),this.load(),this.unsubscribe=this.api.subscribe({},e=>e.event==="added"&&this.load()),this.unsubscribe.catch(()=>{}),this.timer=window.setInterval(()=>this.load(),3e4)}disconnectedCallback(){super.disconnectedCallback(),window.clearInterval(this.timer),this.unsubscribe?.then(e=>e()).catch(()=>{})}async load(){try{this.cameras=(await this.api.cameras()).cameras}catch(e){this.error=$(e)}}render(){let e=l.cameras;if(this.error)return o`<p class="error" role="alert">${g(l.error,{error:this.error})}</p>`;if(!this.cameras)return o`<p class="muted">${l.loading}</p>`;if(!this.cameras.length)return o`<p class="muted">${e.empty}</p>`;let i=O(this.hass),s=M(this.hass),a=n=>n.running?n.connected===null?o`<span class="badge">${e.push}</span>`:n.connected?o`<span class="badge known">${e.connected}</span>`:o`<span class="badge alert">${e.disconnected}</span>`:o`<span class="badge alert">${e.stopped}</span>`;return o`<div class="card scroll"><table>
      <thead><tr><th>${e.name}</th><th>${e.state}</th><th>${e.lastRead}</th><th>${e.hour}</th><th class="wide">${e.day}</th><th class="wide"><span class="muted">${e.settings}</span></th></tr></thead>
      <tbody>${this.cameras.map(n=>o`<tr>
        <td>${n.name}</td>
        <td>${a(n)}</td>
        <td>${n.last_sighting?o`<time datetime=${n.last_sighting} title=${F(n.last_sighting,i,s)}>${T(n.last_sighting,Date.now(),i)}</time>${n.last_plate?o` · <span class="plate" style="font-size: 0.9rem">${n.last_plate}</span>`:c}`:l.detail.never}</td>
        <td>${n.sightings_hour}</td>
        <td class="wide">${n.sightings_day}</td>
        <td class="wide"><a class="button" href=${n.settings_url}>${e.settings}</a></td>
      </tr>`)}</tbody></table></div>`}};et.properties={hass:{attribute:!1},api:{attribute:!1},narrow:{type:Boolean,reflect:!0},cameras:{state:!0},error:{state:!0}},et.styles=[y,Lt];b("anpr-lists-view",X);b("anpr-vehicles-view",tt);b("anpr-cameras-view",et);var fe=[["sightings",l.tabs.sightings],["lists",l.tabs.lists],["vehicles",l.tabs.vehicles],["cameras",l.tabs.cameras]],it=class extends f{constructor(){super(...arguments);this.narrow=!1;this.error=""}willUpdate(e){e.has("hass")&&this.hass&&this.connectionOf!==this.hass.connection&&(this.connectionOf=this.hass.connection,this.api=new L(this.hass),this.loadInfo())}async loadInfo(){try{this.info=await this.api.info(),this.error=""}catch(e){this.error=$(e)}}get view(){return Xt(this.route?.path??"")}onTabKey(e){if(!["ArrowLeft","ArrowRight"].includes(e.key))return;let s=[...this.renderRoot.querySelectorAll("nav a")],a=s.indexOf(e.target);s[(a+(e.key==="ArrowRight"?1:s.length-1))%s.length]?.focus()}content(){if(this.error)return o`<p class="error" role="alert">${g(l.error,{error:this.error})}
        <button @click=${()=>this.loadInfo()}>${l.retry}</button></p>`;if(!this.info||!this.api)return o`<p class="muted">${l.loading}</p>`;let{view:e,id:i}=this.view,s={hass:this.hass,api:this.api,info:this.info};switch(e){case"sighting":return o`<anpr-sighting-detail .hass=${s.hass} .api=${s.api} .info=${s.info}
          .sightingId=${i??0} ?narrow=${this.narrow}></anpr-sighting-detail>`;case"lists":return o`<anpr-lists-view .hass=${s.hass} .api=${s.api} .info=${s.info}
          ?narrow=${this.narrow}></anpr-lists-view>`;case"vehicles":return o`<anpr-vehicles-view .hass=${s.hass} .api=${s.api}
          ?narrow=${this.narrow}></anpr-vehicles-view>`;case"cameras":return o`<anpr-cameras-view .hass=${s.hass} .api=${s.api}
          ?narrow=${this.narrow}></anpr-cameras-view>`;default:return o`<anpr-sightings-view .hass=${s.hass} .api=${s.api} .info=${s.info}
          .form=${Jt(location.search)} ?narrow=${this.narrow}></anpr-sightings-view>`}}render(){let e=this.view.view==="sighting"?"sightings":this.view.view;return o`
      <header>
        <button class="menu" aria-label=${l.menu}
          @click=${()=>this.dispatchEvent(new CustomEvent("hass-toggle-menu",{bubbles:!0,composed:!0}))}>
          <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3 6h18v2H3zm0 5h18v2H3zm0 5h18v2H3z"/></svg>
        </button>
        <h1>${l.title}</h1>
        <nav role="tablist" @keydown=${this.onTabKey}>
          ${fe.map(([i,s])=>o`<a role="tab" href="${_}/${i}"
              aria-selected=${e===i?"true":"false"}
              tabindex=${e===i?"0":"-1"}
              @click=${a=>{a.preventDefault(),D(`${_}/${i}`)}}>${s}</a>`)}
        </nav>
      </header>
      <main>${this.content()}</main>
      ${c}
    `}};it.properties={hass:{attribute:!1},narrow:{type:Boolean,reflect:!0},route:{attribute:!1},panel:{attribute:!1},info:{state:!0},error:{state:!0}},it.styles=[y,v`
      :host {
        display: block;
        min-height: 100vh;
        background: var(--primary-background-color, #fafafa);
      }
      header {
        display: flex;
        align-items: center;
        gap: 8px;
        padding: 0 12px;
        height: 56px;
        background: var(--app-header-background-color, var(--primary-color, #03a9f4));
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        position: sticky;
        top: 0;
        z-index: 2;
      }
      header h1 { font-size: 1.25rem; font-weight: 400; margin: 0 12px 0 0; }
      .menu { border: none; color: inherit; padding: 8px; border-radius: 50%; display: none; }
      :host([narrow]) .menu { display: inline-flex; }
      .menu svg { width: 24px; height: 24px; fill: currentColor; }
      nav { display: flex; gap: 4px; overflow-x: auto; height: 100%; }
      nav a {
        color: inherit;
        text-decoration: none;
        padding: 0 12px;
        display: flex;
        align-items: center;
        border-bottom: 2px solid transparent;
        opacity: 0.8;
        white-space: nowrap;
      }
      nav a[aria-selected="true"] { border-bottom-color: currentColor; opacity: 1; }
      main { padding: 16px; max-width: 1200px; margin: 0 auto; }
      :host([narrow]) main { padding: 8px; }
      :host([narrow]) header h1 { display: none; }
    `];b("anpr-panel",it);var st=class extends f{constructor(){super(...arguments);this.config=N({});this.error="";this.now=Date.now();this.subscribedWith=""}static getConfigElement(){return document.createElement("anpr-sightings-card-editor")}static getStubConfig(){return{count:5}}setConfig(e){this.config=N(e??{})}getCardSize(){return 1+this.config.count}getGridOptions(){return{columns:12,min_columns:6,rows:Math.min(12,1+this.config.count*2)}}connectedCallback(){super.connectedCallback(),this.clock=window.setInterval(()=>this.now=Date.now(),3e4),this.subscribedWith="",this.requestUpdate()}disconnectedCallback(){super.disconnectedCallback(),window.clearInterval(this.clock),this.stop()}stop(){let e=this.unsubscribe;this.unsubscribe=void 0,this.subscribedWith="",e?.then(i=>i()).catch(()=>{})}willUpdate(e){if(!this.hass||!this.isConnected)return;let i=JSON.stringify(Pt(this.config))+this.config.count;i===this.subscribedWith&&this.connectionOf===this.hass.connection||(this.stop(),this.subscribedWith=i,this.connectionOf=this.hass.connection,this.start())}async start(){let e=new L(this.hass),i=Pt(this.config),s=this.config.count,a=this.subscribedWith;try{this.unsubscribe=e.subscribe(i,h=>{this.rows&&(this.rows=K(this.rows,h,s))}),await this.unsubscribe;let n=await e.sightings(i,null,s);a===this.subscribedWith&&(this.rows=n.sightings,this.error="")}catch(n){this.error=$(n)}}render(){let e=this.config.title??l.card.defaultTitle;return o`<ha-card>
      <div class="card">
        ${e?o`<h1>${e}</h1>`:c}
        ${this.error?o`<p class="error" role="alert">${g(l.error,{error:this.error})}</p>`:!this.rows||!this.hass?o`<p class="muted">${l.loading}</p>`:this.rows.length?o`<div role="list">${this.rows.map(i=>o`<div role="listitem">${Z(this.hass,i,this.now,{compact:!0})}</div>`)}</div>`:o`<p class="muted">${l.noSightings}</p>`}
      </div>
    </ha-card>`}};st.properties={hass:{attribute:!1},config:{state:!0},rows:{state:!0},error:{state:!0},now:{state:!0}},st.styles=[y,Q,v`
      :host { display: block; }
      .card { padding: 12px 16px; }
      h1 { font-size: 1.2rem; font-weight: 400; margin: 0 0 8px; }
    `];var rt=class extends f{constructor(){super(...arguments);this.config=N({});this.raw={}}setConfig(e){this.raw={...e},this.config=N(e)}willUpdate(e){e.has("hass")&&this.hass&&!this.info&&new L(this.hass).info().then(i=>this.info=i).catch(()=>{})}change(e){let i={...this.raw,...e};for(let[s,a]of Object.entries(e))(a===void 0||Array.isArray(a)&&!a.length||a==="")&&delete i[s];this.raw=i,this.config=N(i),this.dispatchEvent(new CustomEvent("config-changed",{detail:{config:i},bubbles:!0,composed:!0}))}toggle(e,i,s){let a=new Set(this.config[e]);s?a.add(i):a.delete(i),this.change({[e]:[...a]})}render(){let e=l.card;return o`
      <label>${e.title}<input .value=${this.config.title??""} maxlength="60"
        @change=${i=>this.change({title:i.target.value})} /></label>
      <label>${e.count}<input type="number" min="1" max="50" .value=${String(this.config.count)}
        @change=${i=>this.change({count:Number(i.target.value)})} /></label>
      <fieldset><legend>${e.cameras}</legend>
        ${(this.info?.cameras??[]).map(i=>o`<label><input type="checkbox" .checked=${this.config.cameras.includes(i.id)}
          @change=${s=>this.toggle("cameras",i.id,s.target.checked)} />${i.name}</label>`)}
      </fieldset>
      <fieldset><legend>${e.statuses}</legend>
        ${["known","unknown","alert","ignored"].map(i=>o`<label><input type="checkbox" .checked=${this.config.statuses.includes(i)}
          @change=${s=>this.toggle("statuses",i,s.target.checked)} />${l.status[i]}</label>`)}
      </fieldset>
    `}};rt.properties={hass:{attribute:!1},config:{state:!0},info:{state:!0}},rt.styles=[y,v`
      :host { display: grid; gap: 12px; }
      fieldset { border: 1px solid var(--anpr-divider); border-radius: 6px; display: flex; flex-wrap: wrap; gap: 8px 16px; }
      fieldset label { flex-direction: row; align-items: center; gap: 6px; font-size: 0.95rem; }
    `];b("anpr-sightings-card",st);b("anpr-sightings-card-editor",rt);var gt=window;gt.customCards=gt.customCards??[];gt.customCards.some(r=>r.type==="anpr-sightings-card")||gt.customCards.push({type:"anpr-sightings-card",name:l.card.name,description:l.card.description,preview:!0,documentationURL:"https://github.com/anpr-dev/anpr#dashboard-card"});
/*! Bundled license information:

@lit/reactive-element/css-tag.js:
  (**
   * @license
   * Copyright 2019 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

@lit/reactive-element/reactive-element.js:
lit-html/lit-html.js:
lit-element/lit-element.js:
  (**
   * @license
   * Copyright 2017 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

lit-html/is-server.js:
  (**
   * @license
   * Copyright 2022 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)
*/
