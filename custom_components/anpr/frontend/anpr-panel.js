var nt=globalThis,ot=nt.ShadowRoot&&(nt.ShadyCSS===void 0||nt.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,vt=Symbol(),Ot=new WeakMap,U=class{constructor(e,t,i){if(this._$cssResult$=!0,i!==vt)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,t=this.t;if(ot&&e===void 0){let i=t!==void 0&&t.length===1;i&&(e=Ot.get(t)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),i&&Ot.set(t,e))}return e}toString(){return this.cssText}},Tt=r=>new U(typeof r=="string"?r:r+"",void 0,vt),v=(r,...e)=>{let t=r.length===1?r[0]:e.reduce((i,s,a)=>i+(n=>{if(n._$cssResult$===!0)return n.cssText;if(typeof n=="number")return n;throw Error("Value passed to 'css' function must be a 'css' function result: "+n+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(s)+r[a+1],r[0]);return new U(t,r,vt)},Ht=(r,e)=>{if(ot)r.adoptedStyleSheets=e.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(let t of e){let i=document.createElement("style"),s=nt.litNonce;s!==void 0&&i.setAttribute("nonce",s),i.textContent=t.cssText,r.appendChild(i)}},$t=ot?r=>r:r=>r instanceof CSSStyleSheet?(e=>{let t="";for(let i of e.cssRules)t+=i.cssText;return Tt(t)})(r):r;var{is:ae,defineProperty:ne,getOwnPropertyDescriptor:oe,getOwnPropertyNames:le,getOwnPropertySymbols:de,getPrototypeOf:ce}=Object,lt=globalThis,Ft=lt.trustedTypes,he=Ft?Ft.emptyScript:"",pe=lt.reactiveElementPolyfillSupport,I=(r,e)=>r,bt={toAttribute(r,e){switch(e){case Boolean:r=r?he:null;break;case Object:case Array:r=r==null?r:JSON.stringify(r)}return r},fromAttribute(r,e){let t=r;switch(e){case Boolean:t=r!==null;break;case Number:t=r===null?null:Number(r);break;case Object:case Array:try{t=JSON.parse(r)}catch{t=null}}return t}},Dt=(r,e)=>!ae(r,e),zt={attribute:!0,type:String,converter:bt,reflect:!1,useDefault:!1,hasChanged:Dt};Symbol.metadata??=Symbol("metadata"),lt.litPropertyMetadata??=new WeakMap;var w=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=zt){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let i=Symbol(),s=this.getPropertyDescriptor(e,i,t);s!==void 0&&ne(this.prototype,e,s)}}static getPropertyDescriptor(e,t,i){let{get:s,set:a}=oe(this.prototype,e)??{get(){return this[t]},set(n){this[t]=n}};return{get:s,set(n){let h=s?.call(this);a?.call(this,n),this.requestUpdate(e,h,i)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??zt}static _$Ei(){if(this.hasOwnProperty(I("elementProperties")))return;let e=ce(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(I("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(I("properties"))){let t=this.properties,i=[...le(t),...de(t)];for(let s of i)this.createProperty(s,t[s])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[i,s]of t)this.elementProperties.set(i,s)}this._$Eh=new Map;for(let[t,i]of this.elementProperties){let s=this._$Eu(t,i);s!==void 0&&this._$Eh.set(s,t)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let i=new Set(e.flat(1/0).reverse());for(let s of i)t.unshift($t(s))}else e!==void 0&&t.push($t(e));return t}static _$Eu(e,t){let i=t.attribute;return i===!1?void 0:typeof i=="string"?i:typeof e=="string"?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=new Map,t=this.constructor.elementProperties;for(let i of t.keys())this.hasOwnProperty(i)&&(e.set(i,this[i]),delete this[i]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return Ht(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,i){this._$AK(e,i)}_$ET(e,t){let i=this.constructor.elementProperties.get(e),s=this.constructor._$Eu(e,i);if(s!==void 0&&i.reflect===!0){let a=(i.converter?.toAttribute!==void 0?i.converter:bt).toAttribute(t,i.type);this._$Em=e,a==null?this.removeAttribute(s):this.setAttribute(s,a),this._$Em=null}}_$AK(e,t){let i=this.constructor,s=i._$Eh.get(e);if(s!==void 0&&this._$Em!==s){let a=i.getPropertyOptions(s),n=typeof a.converter=="function"?{fromAttribute:a.converter}:a.converter?.fromAttribute!==void 0?a.converter:bt;this._$Em=s;let h=n.fromAttribute(t,a.type);this[s]=h??this._$Ej?.get(s)??h,this._$Em=null}}requestUpdate(e,t,i,s=!1,a){if(e!==void 0){let n=this.constructor;if(s===!1&&(a=this[e]),i??=n.getPropertyOptions(e),!((i.hasChanged??Dt)(a,t)||i.useDefault&&i.reflect&&a===this._$Ej?.get(e)&&!this.hasAttribute(n._$Eu(e,i))))return;this.C(e,t,i)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(e,t,{useDefault:i,reflect:s,wrapped:a},n){i&&!(this._$Ej??=new Map).has(e)&&(this._$Ej.set(e,n??t??this[e]),a!==!0||n!==void 0)||(this._$AL.has(e)||(this.hasUpdated||i||(t=void 0),this._$AL.set(e,t)),s===!0&&this._$Em!==e&&(this._$Eq??=new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(t){Promise.reject(t)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[s,a]of this._$Ep)this[s]=a;this._$Ep=void 0}let i=this.constructor.elementProperties;if(i.size>0)for(let[s,a]of i){let{wrapped:n}=a,h=this[s];n!==!0||this._$AL.has(s)||h===void 0||this.C(s,void 0,a,h)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(i=>i.hostUpdate?.()),this.update(t)):this._$EM()}catch(i){throw e=!1,this._$EM(),i}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(t=>t.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}updated(e){}firstUpdated(e){}};w.elementStyles=[],w.shadowRootOptions={mode:"open"},w[I("elementProperties")]=new Map,w[I("finalized")]=new Map,pe?.({ReactiveElement:w}),(lt.reactiveElementVersions??=[]).push("2.1.2");var At=globalThis,Nt=r=>r,dt=At.trustedTypes,Ut=dt?dt.createPolicy("lit-html",{createHTML:r=>r}):void 0,qt="$lit$",A=`lit$${Math.random().toFixed(9).slice(2)}$`,Kt="?"+A,ue=`<${Kt}>`,R=document,B=()=>R.createComment(""),V=r=>r===null||typeof r!="object"&&typeof r!="function",Et=Array.isArray,me=r=>Et(r)||typeof r?.[Symbol.iterator]=="function",yt=`[ 	
\f\r]`,j=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,It=/-->/g,jt=/>/g,P=RegExp(`>|${yt}(?:([^\\s"'>=/]+)(${yt}*=${yt}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),Bt=/'/g,Vt=/"/g,Gt=/^(?:script|style|textarea|title)$/i,Ct=r=>(e,...t)=>({_$litType$:r,strings:e,values:t}),o=Ct(1),ke=Ct(2),Se=Ct(3),M=Symbol.for("lit-noChange"),c=Symbol.for("lit-nothing"),Wt=new WeakMap,L=R.createTreeWalker(R,129);function Zt(r,e){if(!Et(r)||!r.hasOwnProperty("raw"))throw Error("invalid template strings array");return Ut!==void 0?Ut.createHTML(e):e}var ge=(r,e)=>{let t=r.length-1,i=[],s,a=e===2?"<svg>":e===3?"<math>":"",n=j;for(let h=0;h<t;h++){let d=r[h],p,u,m=-1,x=0;for(;x<d.length&&(n.lastIndex=x,u=n.exec(d),u!==null);)x=n.lastIndex,n===j?u[1]==="!--"?n=It:u[1]!==void 0?n=jt:u[2]!==void 0?(Gt.test(u[2])&&(s=RegExp("</"+u[2],"g")),n=P):u[3]!==void 0&&(n=P):n===P?u[0]===">"?(n=s??j,m=-1):u[1]===void 0?m=-2:(m=n.lastIndex-u[2].length,p=u[1],n=u[3]===void 0?P:u[3]==='"'?Vt:Bt):n===Vt||n===Bt?n=P:n===It||n===jt?n=j:(n=P,s=void 0);let S=n===P&&r[h+1].startsWith("/>")?" ":"";a+=n===j?d+ue:m>=0?(i.push(p),d.slice(0,m)+qt+d.slice(m)+A+S):d+A+(m===-2?h:S)}return[Zt(r,a+(r[t]||"<?>")+(e===2?"</svg>":e===3?"</math>":"")),i]},W=class r{constructor({strings:e,_$litType$:t},i){let s;this.parts=[];let a=0,n=0,h=e.length-1,d=this.parts,[p,u]=ge(e,t);if(this.el=r.createElement(p,i),L.currentNode=this.el.content,t===2||t===3){let m=this.el.content.firstChild;m.replaceWith(...m.childNodes)}for(;(s=L.nextNode())!==null&&d.length<h;){if(s.nodeType===1){if(s.hasAttributes())for(let m of s.getAttributeNames())if(m.endsWith(qt)){let x=u[n++],S=s.getAttribute(m).split(A),at=/([.?@])?(.*)/.exec(x);d.push({type:1,index:a,name:at[2],strings:S,ctor:at[1]==="."?wt:at[1]==="?"?_t:at[1]==="@"?kt:z}),s.removeAttribute(m)}else m.startsWith(A)&&(d.push({type:6,index:a}),s.removeAttribute(m));if(Gt.test(s.tagName)){let m=s.textContent.split(A),x=m.length-1;if(x>0){s.textContent=dt?dt.emptyScript:"";for(let S=0;S<x;S++)s.append(m[S],B()),L.nextNode(),d.push({type:2,index:++a});s.append(m[x],B())}}}else if(s.nodeType===8)if(s.data===Kt)d.push({type:2,index:a});else{let m=-1;for(;(m=s.data.indexOf(A,m+1))!==-1;)d.push({type:7,index:a}),m+=A.length-1}a++}}static createElement(e,t){let i=R.createElement("template");return i.innerHTML=e,i}};function F(r,e,t=r,i){if(e===M)return e;let s=i!==void 0?t._$Co?.[i]:t._$Cl,a=V(e)?void 0:e._$litDirective$;return s?.constructor!==a&&(s?._$AO?.(!1),a===void 0?s=void 0:(s=new a(r),s._$AT(r,t,i)),i!==void 0?(t._$Co??=[])[i]=s:t._$Cl=s),s!==void 0&&(e=F(r,s._$AS(r,e.values),s,i)),e}var xt=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:i}=this._$AD,s=(e?.creationScope??R).importNode(t,!0);L.currentNode=s;let a=L.nextNode(),n=0,h=0,d=i[0];for(;d!==void 0;){if(n===d.index){let p;d.type===2?p=new q(a,a.nextSibling,this,e):d.type===1?p=new d.ctor(a,d.name,d.strings,this,e):d.type===6&&(p=new St(a,this,e)),this._$AV.push(p),d=i[++h]}n!==d?.index&&(a=L.nextNode(),n++)}return L.currentNode=R,s}p(e){let t=0;for(let i of this._$AV)i!==void 0&&(i.strings!==void 0?(i._$AI(e,i,t),t+=i.strings.length-2):i._$AI(e[t])),t++}},q=class r{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,i,s){this.type=2,this._$AH=c,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=i,this.options=s,this._$Cv=s?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=F(this,e,t),V(e)?e===c||e==null||e===""?(this._$AH!==c&&this._$AR(),this._$AH=c):e!==this._$AH&&e!==M&&this._(e):e._$litType$!==void 0?this.$(e):e.nodeType!==void 0?this.T(e):me(e)?this.k(e):this._(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==c&&V(this._$AH)?this._$AA.nextSibling.data=e:this.T(R.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:i}=e,s=typeof i=="number"?this._$AC(e):(i.el===void 0&&(i.el=W.createElement(Zt(i.h,i.h[0]),this.options)),i);if(this._$AH?._$AD===s)this._$AH.p(t);else{let a=new xt(s,this),n=a.u(this.options);a.p(t),this.T(n),this._$AH=a}}_$AC(e){let t=Wt.get(e.strings);return t===void 0&&Wt.set(e.strings,t=new W(e)),t}k(e){Et(this._$AH)||(this._$AH=[],this._$AR());let t=this._$AH,i,s=0;for(let a of e)s===t.length?t.push(i=new r(this.O(B()),this.O(B()),this,this.options)):i=t[s],i._$AI(a),s++;s<t.length&&(this._$AR(i&&i._$AB.nextSibling,s),t.length=s)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let i=Nt(e).nextSibling;Nt(e).remove(),e=i}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},z=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,i,s,a){this.type=1,this._$AH=c,this._$AN=void 0,this.element=e,this.name=t,this._$AM=s,this.options=a,i.length>2||i[0]!==""||i[1]!==""?(this._$AH=Array(i.length-1).fill(new String),this.strings=i):this._$AH=c}_$AI(e,t=this,i,s){let a=this.strings,n=!1;if(a===void 0)e=F(this,e,t,0),n=!V(e)||e!==this._$AH&&e!==M,n&&(this._$AH=e);else{let h=e,d,p;for(e=a[0],d=0;d<a.length-1;d++)p=F(this,h[i+d],t,d),p===M&&(p=this._$AH[d]),n||=!V(p)||p!==this._$AH[d],p===c?e=c:e!==c&&(e+=(p??"")+a[d+1]),this._$AH[d]=p}n&&!s&&this.j(e)}j(e){e===c?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??"")}},wt=class extends z{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===c?void 0:e}},_t=class extends z{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==c)}},kt=class extends z{constructor(e,t,i,s,a){super(e,t,i,s,a),this.type=5}_$AI(e,t=this){if((e=F(this,e,t,0)??c)===M)return;let i=this._$AH,s=e===c&&i!==c||e.capture!==i.capture||e.once!==i.once||e.passive!==i.passive,a=e!==c&&(i===c||s);s&&this.element.removeEventListener(this.name,this,i),a&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},St=class{constructor(e,t,i){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=i}get _$AU(){return this._$AM._$AU}_$AI(e){F(this,e)}};var fe=At.litHtmlPolyfillSupport;fe?.(W,q),(At.litHtmlVersions??=[]).push("3.3.3");var Qt=(r,e,t)=>{let i=t?.renderBefore??e,s=i._$litPart$;if(s===void 0){let a=t?.renderBefore??null;i._$litPart$=s=new q(e.insertBefore(B(),a),a,void 0,t??{})}return s._$AI(r),s};var Pt=globalThis,f=class extends w{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=Qt(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return M}};f._$litElement$=!0,f.finalized=!0,Pt.litElementHydrateSupport?.({LitElement:f});var ve=Pt.litElementPolyfillSupport;ve?.({LitElement:f});(Pt.litElementVersions??=[]).push("4.2.2");var O=class{constructor(e){this.hass=e}call(e,t={}){return this.hass.callWS({type:`anpr/v1/${e}`,...t})}info(){return this.call("info")}sightings(e,t,i=50){return this.call("sightings/list",{...e,limit:i,...t?{cursor:t}:{}})}subscribe(e,t){return this.hass.connection.subscribeMessage(t,{type:"anpr/v1/sightings/subscribe",...e})}sighting(e){return this.call("sightings/get",{sighting_id:e})}lists(){return this.call("lists/get")}setEntry(e){return this.call("lists/entry/set",{...e})}removeEntry(e,t){return this.call("lists/entry/remove",{plate:e,group:t})}importCsv(e,t){return this.call("lists/import",{csv:e,replace:t})}misread(e,t){return this.call("sightings/misread",{sighting_id:e,plate:t})}deleteSighting(e){return this.call("sightings/delete",{sighting_id:e})}purgePlate(e){return this.call("sightings/purge_plate",{plate:e})}exportCsv(e){return this.call("sightings/export",{...e})}vehicles(){return this.call("vehicles")}cameras(){return this.call("cameras")}};function $(r){return r&&typeof r=="object"&&"message"in r?String(r.message):String(r)}var l={title:"ANPR",tabs:{sightings:"Sightings",lists:"Lists",vehicles:"Vehicles",cameras:"Cameras"},menu:"Open the sidebar",loading:"Loading…",loadMore:"Load more",noSightings:"No sightings match these filters.",error:"Something went wrong: {error}",retry:"Retry",back:"Back to sightings",close:"Close",cancel:"Cancel",save:"Save",confirm:"Confirm",filters:{label:"Filters",plate:"Plate",plateMatch:"Match",exact:"Exact",prefix:"Starts with",fuzzy1:"Similar (1 edit)",fuzzy2:"Similar (2 edits)",camera:"Camera",status:"Status",list:"List",direction:"Direction",from:"From",to:"To",any:"Any",clear:"Clear filters",more:"More filters",fewer:"Fewer filters",export:"Export CSV"},status:{known:"Known",unknown:"Unknown",alert:"Alert",ignored:"Ignored"},direction:{in:"In",out:"Out",unknown:"Unknown direction"},columns:{picture:"Picture",plate:"Plate",camera:"Camera",time:"Time",direction:"Direction",status:"Status",confidence:"Confidence",reads:"Reads",description:"Vehicle"},visitorClass:{first_time:"First time",daily:"Daily",weekly:"Weekly",occasional:"Occasional",rare:"Rare"},visitorClassLabel:"Visitor class: {name}",dwellOnSite:"{dwell} on site",visit:{title:"Visit",status:"Status",arrived:"Arrived",left:"Left",dwell:"Time on site",reads:"Sightings in this visit",atCamera:"{time} at {camera}",notSeen:"Not seen",stillOnSite:"Still on site",statuses:{open:"On site",closed:"Left",no_exit:"No exit seen",exit_only:"Exit without entry"},none:"Not part of a stored visit: a pass-by camera, or the visit is older than the visit retention."},noPicture:"No picture",pictureOf:"Picture of {plate}",readsMerged:"{n} reads merged",detail:{title:"Sighting of {plate}",attributes:"Details",readAs:"Read as",list:"List",history:"This plate's history",count:"Sightings of this plate",firstSeen:"First seen",lastSeen:"Last seen",hours:"Sightings per hour of day",visitorClass:"Visitor class",usualHour:"Usually arrives",usualHourAt:"around {hour}",previous:"Previous sightings",listEntries:"On lists",notListed:"Not on any list",never:"Never",dvla:"DVLA vehicle record"},actions:{label:"Actions",addToList:"Add to a list",editEntry:"Edit list entry",misread:"Mark as misread",misreadPrompt:"This was actually plate",delete:"Delete this sighting",deleteConfirm:"Delete this sighting and its pictures?",purge:"Purge this plate's history",purgeConfirm:"Delete every sighting of {plate} with their pictures? This cannot be undone.",done:"Done"},entry:{plate:"Plate",list:"List",description:"Description",aliases:"Alternative readings (comma separated)",cameras:"Only at cameras",allCameras:"All cameras",validity:"Validity (e.g. Mon-Fri 08:00-18:00)"},lists:{add:"Add plate",edit:"Edit",remove:"Remove",removeConfirm:"Remove {plate} from {list}?",empty:"No plates on this list.",import:"Import CSV",importHelp:"Paste CSV rows: plate,list,description,validity,alternative readings,cameras (several separated by ;)",importDone:"{added} added, {rejected} rejected",rejectedRow:"Line {line}: {plate} — {error}",export:"Export CSV",replace:"Replace the lists' plates",validity:"Validity",aliases:"Alternative readings",cameras:"Cameras"},vehicles:{empty:"No vehicles: add plates to a list that tracks vehicles.",onSite:"On site",away:"Away",lastSeen:"Last seen",lastCamera:"Last camera",name:"Vehicle",presence:"Presence"},cameras:{empty:"No cameras yet: add one on the ANPR integration page.",name:"Camera",state:"Connection",connected:"Connected",disconnected:"Disconnected",push:"Waiting for pushes",stopped:"Not running",lastRead:"Last sighting",hour:"Last hour",day:"Last 24 hours",settings:"Settings"},readOnly:"Only administrators can change lists or sightings.",card:{name:"ANPR sightings",description:"The latest number-plate sightings with their pictures.",title:"Title",count:"Number of sightings",cameras:"Cameras (empty: all)",statuses:"Statuses (empty: all)",defaultTitle:"Latest sightings",openPanel:"Open in the ANPR panel"}};function g(r,e){return r.replace(/\{(\w+)\}/g,(t,i)=>i in e?String(e[i]):t)}var T={plate:"",match:"exact",camera:"",status:"",list:"",direction:"",from:"",to:""};function Jt(r){if(!r)return;let e=new Date(r);return Number.isNaN(e.getTime())?void 0:e.toISOString()}function ct(r){let e={},t=r.plate.trim();t&&(e.plate=t.slice(0,20),r.match==="prefix"?e.plate_match="prefix":(r.match==="fuzzy1"||r.match==="fuzzy2")&&(e.plate_match="fuzzy",e.distance=r.match==="fuzzy2"?2:1)),r.camera&&(e.cameras=[r.camera]),r.status&&(e.statuses=[r.status]),r.list&&(e.lists=[r.list]),r.direction&&(e.directions=[r.direction]);let i=Jt(r.from),s=Jt(r.to);return i&&(e.start=i),s&&(e.end=s),e}var Yt=Object.keys(T);function Xt(r){let e=new URLSearchParams(r),t={...T};for(let i of Yt){let s=e.get(i);s!==null&&(t[i]=s.slice(0,100))}return["exact","prefix","fuzzy1","fuzzy2"].includes(t.match)||(t.match="exact"),t}function te(r){let e=new URLSearchParams;for(let i of Yt){let s=r[i];s&&!(i==="match"&&s==="exact")&&e.set(i,s)}let t=e.toString();return t?`?${t}`:""}function ee(r){let e=r.split("/").filter(Boolean);return e[0]==="sighting"&&e[1]&&/^\d{1,16}$/.test(e[1])?{view:"sighting",id:Number(e[1])}:e[0]==="lists"||e[0]==="vehicles"||e[0]==="cameras"?{view:e[0]}:{view:"sightings"}}function $e(r,e){let t=Date.parse(r.time);return Date.parse(e.time)-t||e.id-r.id}function K(r,e,t){let i=r.findIndex(a=>a.id===e.sighting.id);if(i>=0){let a=r.slice();return a[i]=e.sighting,a}if(e.event!=="added")return r;let s=[e.sighting,...r].sort($e);return t!==void 0?s.slice(0,t):s}function E(r){return r.locale?.time_zone==="server"?r.config?.time_zone:void 0}function C(r){return r.locale?.language||r.language||"en"}function H(r,e,t="en"){let i=Math.round((Date.parse(r)-e)/1e3),s=[["year",31536e3],["month",2592e3],["week",604800],["day",86400],["hour",3600],["minute",60],["second",1]],a=new Intl.RelativeTimeFormat(t,{numeric:"auto"});for(let[n,h]of s)if(Math.abs(i)>=h||n==="second")return a.format(Math.round(i/h),n);return a.format(0,"second")}function _(r,e="en",t){return new Intl.DateTimeFormat(e,{dateStyle:"medium",timeStyle:"medium",timeZone:t}).format(new Date(r))}function ht(r){return r==null?"":`${Math.round(r*100)} %`}function pt(r,e="en"){if(r==null||!Number.isFinite(r)||r<0)return"";let t=Math.round(r),i=[["day",86400],["hour",3600],["minute",60],["second",1]],s=[],a=t;for(let[n,h]of i){let d=Math.floor(a/h);if((d||n==="second"&&!s.length)&&(s.push(new Intl.NumberFormat(e,{style:"unit",unit:n,unitDisplay:"short"}).format(d)),a-=d*h),s.length===2||s.length&&!a)break}return s.join(", ")}function ie(r,e="en"){return new Intl.DateTimeFormat(e,{timeStyle:"short",timeZone:"UTC"}).format(new Date(Date.UTC(2e3,0,1,r)))}function se(r){let e=Math.max(0,...r);return r.map(t=>e?t/e:0)}function ut(r){return[...new Set(r.split(/[,;\n]/).map(e=>e.trim()).filter(Boolean))]}function mt(r,e){return`anpr-${r}-${e.toISOString().slice(0,10)}.csv`}function D(r){let e=i=>Array.isArray(i)?i.filter(s=>typeof s=="string"):[],t=Number(r.count??5);return{type:String(r.type??"custom:anpr-sightings-card"),title:typeof r.title=="string"?r.title:void 0,count:Number.isFinite(t)?Math.min(50,Math.max(1,Math.round(t))):5,cameras:e(r.cameras),statuses:e(r.statuses).filter(i=>["known","unknown","alert","ignored"].includes(i))}}function Lt(r){let e={};return r.cameras.length&&(e.cameras=r.cameras),r.statuses.length&&(e.statuses=r.statuses),e}var k="/anpr";function N(r){history.pushState(null,"",r),window.dispatchEvent(new CustomEvent("location-changed",{detail:{replace:!1}}))}function gt(r,e){let t=URL.createObjectURL(new Blob([e],{type:"text/csv;charset=utf-8"})),i=document.createElement("a");i.href=t,i.download=r,document.body.append(i),i.click(),i.remove(),setTimeout(()=>URL.revokeObjectURL(t),1e3)}var y=v`
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
  .badge.visitor {
    background: transparent;
    color: var(--anpr-text);
    border: 1px solid var(--anpr-divider);
  }
  .badge.visitor.first_time { border-color: var(--anpr-primary); color: var(--anpr-primary); }
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
`,G=class extends f{constructor(){super(...arguments);this.src=null;this.label="";this.full=!1;this.failed=!1}willUpdate(t){t.has("src")&&(this.failed=!1)}render(){return!this.src||this.failed?o`<div class="placeholder" role="img" aria-label=${l.noPicture}>
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
  `;function Z(r,e,t,i={}){let s=C(r),a=E(r),n=_(e.time,s,a),h=`${k}/sighting/${e.id}`,d=p=>{p.ctrlKey||p.metaKey||p.shiftKey||p.button!==0||(p.preventDefault(),N(h))};return o`<a
    class="row ${i.compact?"compact":""}"
    href=${h}
    @click=${d}
    data-sighting=${e.id}
    aria-label="${e.plate}, ${e.camera??""}, ${n}"
  >
    <anpr-thumb .src=${e.thumbnail} .label=${g(l.pictureOf,{plate:e.plate})}></anpr-thumb>
    <div class="main">
      <div class="line1">
        <span class="plate">${e.plate}</span>
        ${e.reads>1?o`<span class="muted" title=${g(l.readsMerged,{n:e.reads})}>×${e.reads}</span>`:c}
        <span class="badge ${e.status}">${l.status[e.status]??e.status}${e.list&&e.status!=="unknown"?o` · ${e.list}`:c}</span>
        ${Rt(e.visitor_class)}
      </div>
      <div class="line2 muted">
        <time datetime=${e.time} title=${n}>${H(e.time,t,s)}</time>
        · ${e.camera??e.camera_id}
        ${e.direction&&e.direction!=="unknown"?o`· ${l.direction[e.direction]??e.direction}`:c}
        ${e.confidence!==null?o`· ${ht(e.confidence)}`:c}
        ${e.dwell_s!==null&&e.dwell_s!==void 0?o`· ${g(l.dwellOnSite,{dwell:pt(e.dwell_s,s)})}`:c}
      </div>
      ${e.description&&!i.compact?o`<div class="line3">${e.description}</div>`:c}
      ${i.compact?c:o`<div class="abs muted">${n}</div>`}
    </div>
  </a>`}function Rt(r){if(!r)return c;let e=l.visitorClass[r]??r;return o`<span class="badge visitor ${r}" title=${g(l.visitorClassLabel,{name:e})}
    >${e}</span>`}var Q=v`
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
`;function b(r,e){customElements.get(r)||customElements.define(r,e)}b("anpr-thumb",G);var re=50,J=class extends f{constructor(){super(...arguments);this.narrow=!1;this.expanded=!1;this.form={...T};this.rows=[];this.cursor=null;this.loading=!1;this.error="";this.now=Date.now();this.generation=0}connectedCallback(){super.connectedCallback(),this.clock=window.setInterval(()=>this.now=Date.now(),3e4),this.api&&this.reload()}disconnectedCallback(){super.disconnectedCallback(),window.clearInterval(this.clock),this.observer?.disconnect(),this.stopLive()}willUpdate(t){(t.has("api")||t.has("form"))&&this.api&&this.isConnected&&this.reload()}firstUpdated(){this.observer=new IntersectionObserver(i=>{i.some(s=>s.isIntersecting)&&this.cursor&&!this.loading&&this.loadMore()});let t=this.renderRoot.querySelector(".more");t&&this.observer.observe(t)}stopLive(){let t=this.unsubscribe;this.unsubscribe=void 0,t?.then(i=>i()).catch(()=>{})}async reload(){let t=++this.generation,i=ct(this.form);this.stopLive(),this.loading=!0,this.error="";let s=[],a=!1;this.unsubscribe=this.api.subscribe(i,n=>{t===this.generation&&(a?this.rows=K(this.rows,n):s.push(n))});try{await this.unsubscribe;let n=await this.api.sightings(i,null,re);if(t!==this.generation)return;let h=n.sightings;for(let d of s)h=K(h,d);a=!0,this.rows=h,this.cursor=n.next_cursor}catch(n){t===this.generation&&(this.error=$(n))}finally{t===this.generation&&(this.loading=!1)}}async loadMore(){if(!this.cursor)return;let t=this.generation;this.loading=!0;try{let i=await this.api.sightings(ct(this.form),this.cursor,re);if(t!==this.generation)return;let s=new Set(this.rows.map(a=>a.id));this.rows=[...this.rows,...i.sightings.filter(a=>!s.has(a.id))],this.cursor=i.next_cursor}catch(i){this.error=$(i)}finally{this.loading=!1}}onFilter(t){t.preventDefault();let i=new FormData(this.renderRoot.querySelector("form")),s={...T};for(let a of Object.keys(T))s[a]=String(i.get(a)??"");this.setForm(s)}setForm(t){this.form=t,history.replaceState(null,"",`${k}/sightings${te(t)}`)}async onExport(){try{let t=await this.api.exportCsv(ct(this.form));gt(mt("sightings",new Date),t.csv)}catch(t){this.error=$(t)}}select(t,i,s){return o`<label class="extra"
      >${i}
      <select name=${t} @change=${this.onFilter}>
        <option value="">${l.filters.any}</option>
        ${s.map(([a,n])=>o`<option value=${a} ?selected=${this.form[t]===a}>${n}</option>`)}
      </select>
    </label>`}render(){let t=l.filters,i=[...new Set(this.info.lists.map(s=>s.name))];return o`
      <form @submit=${this.onFilter} aria-label=${t.label} role="search"
        class=${this.expanded?"":"folded"}>
        <label
          >${t.plate}
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
          >${t.plateMatch}
          <select name="match" @change=${this.onFilter}>
            ${[["exact",t.exact],["prefix",t.prefix],["fuzzy1",t.fuzzy1],["fuzzy2",t.fuzzy2]].map(([s,a])=>o`<option value=${s} ?selected=${this.form.match===s}>${a}</option>`)}
          </select>
        </label>
        ${this.select("camera",t.camera,this.info.cameras.map(s=>[s.id,s.name]))}
        ${this.select("status",t.status,this.info.statuses.map(s=>[s,l.status[s]??s]))}
        ${this.select("list",t.list,i.map(s=>[s,s]))}
        ${this.select("direction",t.direction,this.info.directions.map(s=>[s,l.direction[s]??s]))}
        <label class="extra"
          >${t.from}
          <input name="from" type="datetime-local" .value=${this.form.from} @change=${this.onFilter} />
        </label>
        <label class="extra"
          >${t.to}
          <input name="to" type="datetime-local" .value=${this.form.to} @change=${this.onFilter} />
        </label>
        <div class="buttons">
          <button type="button" class="toggle" aria-expanded=${this.expanded?"true":"false"}
            @click=${()=>this.expanded=!this.expanded}>${this.expanded?t.fewer:t.more}</button>
          <button type="button" class="extra" @click=${()=>this.setForm({...T})}>${t.clear}</button>
          <button type="button" class="extra" @click=${this.onExport}>${t.export}</button>
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
    `];var Y=class extends f{constructor(){super(...arguments);this.sightingId=0;this.narrow=!1;this.error="";this.message="";this.mode=""}willUpdate(t){(t.has("sightingId")||t.has("api"))&&this.api&&this.sightingId&&this.load()}disconnectedCallback(){super.disconnectedCallback(),this.stopLive()}stopLive(){let t=this.unsubscribe;this.unsubscribe=void 0,t?.then(i=>i()).catch(()=>{})}async load(){this.error="";try{let t=await this.api.sighting(this.sightingId);(this.detail?.sighting.plate!==t.sighting.plate||!this.unsubscribe)&&(this.stopLive(),this.unsubscribe=this.api.subscribe({plate:t.sighting.plate},i=>{this.detail&&i.sighting.id===this.detail.sighting.id&&(this.detail={...this.detail,sighting:i.sighting})}),this.unsubscribe.catch(()=>{})),this.detail=t}catch(t){this.error=$(t)}}async act(t,i){this.error="";try{await t(),this.message=l.actions.done,this.mode="",i?i():await this.load()}catch(s){this.error=$(s)}}onAdd(t){t.preventDefault();let i=new FormData(t.target),s=n=>String(i.get(n)??"").trim(),a=this.detail?.list_entries.find(n=>n.group===s("original_group"));this.act(()=>this.api.setEntry({plate:s("plate"),group:s("group"),description:s("description")||null,aliases:ut(s("aliases")),cameras:i.getAll("cameras").map(String).filter(Boolean),validity:s("validity")||null,...a?{original_plate:a.plate,original_group:a.group}:{}}))}onMisread(t){t.preventDefault();let i=String(new FormData(t.target).get("plate")??"");this.act(()=>this.api.misread(this.sightingId,i))}hours(t){let i=se(t);return o`<svg class="hours" viewBox="0 0 240 80" role="img" aria-label=${l.detail.hours}>
      ${i.map((s,a)=>o`<rect x=${a*10+1} y=${66-s*60} width="8"
            height=${Math.max(s*60,t[a]?1:0)}>
            <title>${a}:00 — ${t[a]}</title></rect>`)}
      ${[0,6,12,18].map(s=>o`<text x=${s*10+1} y="78">${String(s).padStart(2,"0")}</text>`)}
    </svg>`}entryForm(){let t=this.detail,i=t.list_entries[0],s=l.entry;return o`<form @submit=${this.onAdd} aria-label=${i?l.actions.editEntry:l.actions.addToList}>
      <input type="hidden" name="original_group" value=${i?.group??""} />
      <label>${s.plate}<input name="plate" required maxlength="20" .value=${i?.plate??t.sighting.plate} /></label>
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
    </form>`}actions(){let t=this.detail,i=l.actions;if(!this.info.admin)return o`<p class="muted">${l.readOnly}</p>`;let s=(a,n)=>o`<p role="alert">${a}</p>
        <div class="actions">
          <button class="danger" @click=${n}>${l.confirm}</button>
          <button @click=${()=>this.mode=""}>${l.cancel}</button>
        </div>`;return o`
      <div class="actions">
        <button class="primary" @click=${()=>this.mode="add"}>
          ${t.list_entries.length?i.editEntry:i.addToList}
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
      ${this.mode==="delete"?s(i.deleteConfirm,()=>this.act(()=>this.api.deleteSighting(t.sighting.id),()=>N(`${k}/sightings`))):c}
      ${this.mode==="purge"?s(g(i.purgeConfirm,{plate:t.sighting.plate}),()=>this.act(()=>this.api.purgePlate(t.sighting.plate),()=>N(`${k}/sightings`))):c}
    `}visitBlock(t){let i=l.visit;if(!t)return o`<section class="card" aria-label=${i.title}>
        <h2>${i.title}</h2><p class="muted">${i.none}</p></section>`;let s=C(this.hass),a=E(this.hass),n=(d,p)=>d?o`<time datetime=${d}>${p?g(i.atCamera,{time:_(d,s,a),camera:p}):_(d,s,a)}</time>`:i.notSeen,h=t.status==="open";return o`<section class="card" aria-label=${i.title}>
      <h2>${i.title}</h2>
      <dl>
        <dt>${i.status}</dt><dd><span class="badge visit ${t.status}">${i.statuses[t.status]??t.status}</span></dd>
        <dt>${i.arrived}</dt><dd>${n(t.started,t.entry_camera)}</dd>
        <dt>${i.left}</dt><dd>${h?i.stillOnSite:n(t.ended,t.exit_camera)}</dd>
        <dt>${i.dwell}</dt><dd>${pt(t.dwell_s,s)||"—"}</dd>
        <dt>${i.reads}</dt><dd>${t.reads}</dd>
      </dl>
    </section>`}render(){let t=o`<a class="button" href="${k}/sightings"
      @click=${u=>{u.preventDefault(),history.back()}}>← ${l.back}</a>`;if(this.error&&!this.detail)return o`${t}<p class="error" role="alert">${g(l.error,{error:this.error})}</p>`;if(!this.detail)return o`${t}<p class="muted">${l.loading}</p>`;let{sighting:i,plate:s,previous:a}=this.detail,n=C(this.hass),h=E(this.hass),d=u=>u?_(u,n,h):l.detail.never,p=l.columns;return o`
      <div class="top">${t}<span class="plate" style="font-size: 1.6rem">${i.plate}</span>
        <span class="badge ${i.status}">${l.status[i.status]}</span>${Rt(i.visitor_class)}</div>
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
                <span class="muted">(${H(i.time,Date.now(),n)})</span></dd>
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
      ${this.visitBlock(this.detail.visit??null)}
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
          <dt>${l.detail.visitorClass}</dt>
          <dd>${s.visitor_class?l.visitorClass[s.visitor_class]??s.visitor_class:"—"}</dd>
          <dt>${l.detail.usualHour}</dt>
          <dd>${s.usual_hour!==null&&s.usual_hour!==void 0?g(l.detail.usualHourAt,{hour:ie(s.usual_hour,n)}):"—"}</dd>
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
      .badge.visitor { margin-left: 4px; }
      .badge.visit.open { background: var(--anpr-known); }
      .badge.visit.closed { background: var(--anpr-ignored); }
      .badge.visit.no_exit, .badge.visit.exit_only { background: var(--warning-color, #ffa600); }
    `];b("anpr-sightings-view",J);b("anpr-sighting-detail",Y);var Mt=v`
  :host { display: block; }
  section { margin-bottom: 12px; }
  h2 { font-size: 1.1rem; margin: 0 0 8px; font-weight: 500; }
  form.entry { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 8px; align-items: end; }
  .actions { display: flex; gap: 8px; flex-wrap: wrap; }
  textarea { width: 100%; min-height: 6em; }
  .scroll { overflow-x: auto; }
  :host([narrow]) .wide { display: none; }
`,X=class extends f{constructor(){super(...arguments);this.narrow=!1;this.groups=[];this.entries=[];this.csv="";this.error=""}connectedCallback(){super.connectedCallback(),this.load()}async load(){try{let t=await this.api.lists();this.groups=t.groups,this.entries=t.entries,this.csv=t.csv}catch(t){this.error=$(t)}}async run(t){this.error="";try{await t(),this.editing=void 0,await this.load()}catch(i){this.error=$(i)}}onSave(t){t.preventDefault();let i=t.target,s=new FormData(i),a=h=>String(s.get(h)??"").trim(),n=this.editing;this.run(async()=>{await this.api.setEntry({plate:a("plate"),group:a("group"),description:a("description")||null,aliases:ut(a("aliases")),cameras:s.getAll("cameras").map(String).filter(Boolean),validity:a("validity")||null,...n?{original_plate:n.plate,original_group:n.group}:{}}),i.reset()})}onImport(t){t.preventDefault();let i=t.target,s=new FormData(i);this.run(async()=>{this.result=await this.api.importCsv(String(s.get("csv")??""),s.get("replace")==="on")})}cameraName(t){return this.info.cameras.find(i=>i.id===t)?.name??t}form(){let t=l.entry,i=this.editing;return o`<form class="entry card" @submit=${this.onSave} aria-label=${i?l.lists.edit:l.lists.add}>
      <label>${t.plate}<input name="plate" required maxlength="20" .value=${i?.plate??""} /></label>
      <label>${t.list}<select name="group">
        ${this.groups.map(s=>o`<option value=${s.id} ?selected=${(i?.group??"allowed")===s.id}>${s.name}</option>`)}
      </select></label>
      <label>${t.description}<input name="description" maxlength="100" .value=${i?.description??""} /></label>
      <label>${t.aliases}<input name="aliases" .value=${i?.aliases.join(", ")??""} /></label>
      <label>${t.cameras}<select name="cameras" multiple size="3">
        ${this.info.cameras.map(s=>o`<option value=${s.id} ?selected=${i?.cameras.includes(s.id)}>${s.name}</option>`)}
      </select></label>
      <label>${t.validity}<input name="validity" maxlength="500" .value=${i?.validity??""} /></label>
      <div class="actions">
        <button class="primary" type="submit">${i?l.save:l.lists.add}</button>
        ${i?o`<button type="button" @click=${()=>this.editing=void 0}>${l.cancel}</button>`:c}
      </div>
    </form>`}render(){let t=this.info.admin,i=l.lists;return o`
      ${this.error?o`<p class="error" role="alert">${g(l.error,{error:this.error})}</p>`:c}
      ${t?o`<section>${this.form()}</section>`:o`<p class="muted">${l.readOnly}</p>`}
      ${this.groups.map(s=>{let a=this.entries.filter(n=>n.group===s.id);return o`<section class="card" aria-label=${s.name}>
          <h2>${s.name} <span class="badge ${s.category==="allowed"?"known":s.category}">${a.length}</span></h2>
          ${a.length?o`<div class="scroll"><table>
                <thead><tr><th>${l.entry.plate}</th><th>${l.entry.description}</th>
                  <th class="wide">${i.aliases}</th><th class="wide">${i.cameras}</th><th>${i.validity}</th>
                  ${t?o`<th><span class="muted">${l.actions.label}</span></th>`:c}</tr></thead>
                <tbody>${a.map(n=>o`<tr>
                  <td><span class="plate">${n.plate}</span></td>
                  <td>${n.description??""}</td>
                  <td class="wide">${n.aliases.join(", ")}</td>
                  <td class="wide">${n.cameras.length?n.cameras.map(h=>this.cameraName(h)).join(", "):l.entry.allCameras}</td>
                  <td>${n.validity??""}</td>
                  ${t?o`<td class="actions">
                    <button @click=${()=>this.editing=n} aria-label="${i.edit} ${n.plate}">${i.edit}</button>
                    <button class="danger" aria-label="${i.remove} ${n.plate}"
                      @click=${()=>window.confirm(g(i.removeConfirm,{plate:n.plate,list:s.name}))&&this.run(()=>this.api.removeEntry(n.plate,s.id))}>${i.remove}</button>
                  </td>`:c}
                </tr>`)}</tbody></table></div>`:o`<p class="muted">${i.empty}</p>`}
        </section>`})}
      <section class="card">
        <div class="actions">
          <button @click=${()=>gt(mt("lists",new Date),this.csv)}>${i.export}</button>
        </div>
        ${t?o`<form @submit=${this.onImport} style="margin-top: 8px; display: grid; gap: 8px">
              <label>${i.importHelp}<textarea name="csv" required></textarea></label>
              <label style="flex-direction: row; align-items: center"><input type="checkbox" name="replace" /> ${i.replace}</label>
              <div class="actions"><button class="primary" type="submit">${i.import}</button></div>
            </form>`:c}
        ${this.result?o`<p role="status">${g(i.importDone,{added:this.result.added,rejected:this.result.rejected.length})}</p>
              <ul>${this.result.rejected.map(s=>o`<li class="error">${g(i.rejectedRow,{line:s.line,plate:s.plate||"—",error:s.error})}</li>`)}</ul>`:c}
      </section>
    `}};X.properties={hass:{attribute:!1},api:{attribute:!1},info:{attribute:!1},narrow:{type:Boolean,reflect:!0},groups:{state:!0},entries:{state:!0},csv:{state:!0},editing:{state:!0},error:{state:!0},result:{state:!0}},X.styles=[y,Mt];var tt=class extends f{constructor(){super(...arguments);this.narrow=!1;this.error=""}connectedCallback(){super.connectedCallback(),this.load(),this.unsubscribe=this.api.subscribe({},()=>this.load()),this.unsubscribe.catch(()=>{})}disconnectedCallback(){super.disconnectedCallback(),this.unsubscribe?.then(t=>t()).catch(()=>{})}async load(){try{this.vehicles=(await this.api.vehicles()).vehicles}catch(t){this.error=$(t)}}render(){let t=l.vehicles;if(this.error)return o`<p class="error" role="alert">${g(l.error,{error:this.error})}</p>`;if(!this.vehicles)return o`<p class="muted">${l.loading}</p>`;if(!this.vehicles.length)return o`<p class="muted">${t.empty}</p>`;let i=C(this.hass),s=E(this.hass);return o`<div class="card scroll"><table>
      <thead><tr><th>${t.name}</th><th>${l.entry.plate}</th><th>${t.presence}</th><th>${t.lastSeen}</th><th class="wide">${t.lastCamera}</th></tr></thead>
      <tbody>${this.vehicles.map(a=>o`<tr>
        <td>${a.name}</td>
        <td><span class="plate">${a.plate}</span></td>
        <td><span class="badge ${a.present?"known":"ignored"}">${a.present?t.onSite:t.away}</span></td>
        <td>${a.last_seen?o`<time datetime=${a.last_seen} title=${_(a.last_seen,i,s)}>${H(a.last_seen,Date.now(),i)}</time>`:l.detail.never}</td>
        <td class="wide">${a.last_camera??""}</td>
      </tr>`)}</tbody></table></div>`}};tt.properties={hass:{attribute:!1},api:{attribute:!1},narrow:{type:Boolean,reflect:!0},vehicles:{state:!0},error:{state:!0}},tt.styles=[y,Mt];var et=class extends f{constructor(){super(...arguments);this.narrow=!1;this.error=""}connectedCallback(){super.connectedCallback(),this.load(),this.unsubscribe=this.api.subscribe({},t=>t.event==="added"&&this.load()),this.unsubscribe.catch(()=>{}),this.timer=window.setInterval(()=>this.load(),3e4)}disconnectedCallback(){super.disconnectedCallback(),window.clearInterval(this.timer),this.unsubscribe?.then(t=>t()).catch(()=>{})}async load(){try{this.cameras=(await this.api.cameras()).cameras}catch(t){this.error=$(t)}}render(){let t=l.cameras;if(this.error)return o`<p class="error" role="alert">${g(l.error,{error:this.error})}</p>`;if(!this.cameras)return o`<p class="muted">${l.loading}</p>`;if(!this.cameras.length)return o`<p class="muted">${t.empty}</p>`;let i=C(this.hass),s=E(this.hass),a=n=>n.running?n.connected===null?o`<span class="badge">${t.push}</span>`:n.connected?o`<span class="badge known">${t.connected}</span>`:o`<span class="badge alert">${t.disconnected}</span>`:o`<span class="badge alert">${t.stopped}</span>`;return o`<div class="card scroll"><table>
      <thead><tr><th>${t.name}</th><th>${t.state}</th><th>${t.lastRead}</th><th>${t.hour}</th><th class="wide">${t.day}</th><th class="wide"><span class="muted">${t.settings}</span></th></tr></thead>
      <tbody>${this.cameras.map(n=>o`<tr>
        <td>${n.name}</td>
        <td>${a(n)}</td>
        <td>${n.last_sighting?o`<time datetime=${n.last_sighting} title=${_(n.last_sighting,i,s)}>${H(n.last_sighting,Date.now(),i)}</time>${n.last_plate?o` · <span class="plate" style="font-size: 0.9rem">${n.last_plate}</span>`:c}`:l.detail.never}</td>
        <td>${n.sightings_hour}</td>
        <td class="wide">${n.sightings_day}</td>
        <td class="wide"><a class="button" href=${n.settings_url}>${t.settings}</a></td>
      </tr>`)}</tbody></table></div>`}};et.properties={hass:{attribute:!1},api:{attribute:!1},narrow:{type:Boolean,reflect:!0},cameras:{state:!0},error:{state:!0}},et.styles=[y,Mt];b("anpr-lists-view",X);b("anpr-vehicles-view",tt);b("anpr-cameras-view",et);var be=[["sightings",l.tabs.sightings],["lists",l.tabs.lists],["vehicles",l.tabs.vehicles],["cameras",l.tabs.cameras]],it=class extends f{constructor(){super(...arguments);this.narrow=!1;this.error=""}willUpdate(t){t.has("hass")&&this.hass&&this.connectionOf!==this.hass.connection&&(this.connectionOf=this.hass.connection,this.api=new O(this.hass),this.loadInfo())}async loadInfo(){try{this.info=await this.api.info(),this.error=""}catch(t){this.error=$(t)}}get view(){return ee(this.route?.path??"")}onTabKey(t){if(!["ArrowLeft","ArrowRight"].includes(t.key))return;let s=[...this.renderRoot.querySelectorAll("nav a")],a=s.indexOf(t.target);s[(a+(t.key==="ArrowRight"?1:s.length-1))%s.length]?.focus()}content(){if(this.error)return o`<p class="error" role="alert">${g(l.error,{error:this.error})}
        <button @click=${()=>this.loadInfo()}>${l.retry}</button></p>`;if(!this.info||!this.api)return o`<p class="muted">${l.loading}</p>`;let{view:t,id:i}=this.view,s={hass:this.hass,api:this.api,info:this.info};switch(t){case"sighting":return o`<anpr-sighting-detail .hass=${s.hass} .api=${s.api} .info=${s.info}
          .sightingId=${i??0} ?narrow=${this.narrow}></anpr-sighting-detail>`;case"lists":return o`<anpr-lists-view .hass=${s.hass} .api=${s.api} .info=${s.info}
          ?narrow=${this.narrow}></anpr-lists-view>`;case"vehicles":return o`<anpr-vehicles-view .hass=${s.hass} .api=${s.api}
          ?narrow=${this.narrow}></anpr-vehicles-view>`;case"cameras":return o`<anpr-cameras-view .hass=${s.hass} .api=${s.api}
          ?narrow=${this.narrow}></anpr-cameras-view>`;default:return o`<anpr-sightings-view .hass=${s.hass} .api=${s.api} .info=${s.info}
          .form=${Xt(location.search)} ?narrow=${this.narrow}></anpr-sightings-view>`}}render(){let t=this.view.view==="sighting"?"sightings":this.view.view;return o`
      <header>
        <button class="menu" aria-label=${l.menu}
          @click=${()=>this.dispatchEvent(new CustomEvent("hass-toggle-menu",{bubbles:!0,composed:!0}))}>
          <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3 6h18v2H3zm0 5h18v2H3zm0 5h18v2H3z"/></svg>
        </button>
        <h1>${l.title}</h1>
        <nav role="tablist" @keydown=${this.onTabKey}>
          ${be.map(([i,s])=>o`<a role="tab" href="${k}/${i}"
              aria-selected=${t===i?"true":"false"}
              tabindex=${t===i?"0":"-1"}
              @click=${a=>{a.preventDefault(),N(`${k}/${i}`)}}>${s}</a>`)}
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
    `];b("anpr-panel",it);var st=class extends f{constructor(){super(...arguments);this.config=D({});this.error="";this.now=Date.now();this.subscribedWith=""}static getConfigElement(){return document.createElement("anpr-sightings-card-editor")}static getStubConfig(){return{count:5}}setConfig(t){this.config=D(t??{})}getCardSize(){return 1+this.config.count}getGridOptions(){return{columns:12,min_columns:6,rows:Math.min(12,1+this.config.count*2)}}connectedCallback(){super.connectedCallback(),this.clock=window.setInterval(()=>this.now=Date.now(),3e4),this.subscribedWith="",this.requestUpdate()}disconnectedCallback(){super.disconnectedCallback(),window.clearInterval(this.clock),this.stop()}stop(){let t=this.unsubscribe;this.unsubscribe=void 0,this.subscribedWith="",t?.then(i=>i()).catch(()=>{})}willUpdate(t){if(!this.hass||!this.isConnected)return;let i=JSON.stringify(Lt(this.config))+this.config.count;i===this.subscribedWith&&this.connectionOf===this.hass.connection||(this.stop(),this.subscribedWith=i,this.connectionOf=this.hass.connection,this.start())}async start(){let t=new O(this.hass),i=Lt(this.config),s=this.config.count,a=this.subscribedWith;try{this.unsubscribe=t.subscribe(i,h=>{this.rows&&(this.rows=K(this.rows,h,s))}),await this.unsubscribe;let n=await t.sightings(i,null,s);a===this.subscribedWith&&(this.rows=n.sightings,this.error="")}catch(n){this.error=$(n)}}render(){let t=this.config.title??l.card.defaultTitle;return o`<ha-card>
      <div class="card">
        ${t?o`<h1>${t}</h1>`:c}
        ${this.error?o`<p class="error" role="alert">${g(l.error,{error:this.error})}</p>`:!this.rows||!this.hass?o`<p class="muted">${l.loading}</p>`:this.rows.length?o`<div role="list">${this.rows.map(i=>o`<div role="listitem">${Z(this.hass,i,this.now,{compact:!0})}</div>`)}</div>`:o`<p class="muted">${l.noSightings}</p>`}
      </div>
    </ha-card>`}};st.properties={hass:{attribute:!1},config:{state:!0},rows:{state:!0},error:{state:!0},now:{state:!0}},st.styles=[y,Q,v`
      :host { display: block; }
      .card { padding: 12px 16px; }
      h1 { font-size: 1.2rem; font-weight: 400; margin: 0 0 8px; }
    `];var rt=class extends f{constructor(){super(...arguments);this.config=D({});this.raw={}}setConfig(t){this.raw={...t},this.config=D(t)}willUpdate(t){t.has("hass")&&this.hass&&!this.info&&new O(this.hass).info().then(i=>this.info=i).catch(()=>{})}change(t){let i={...this.raw,...t};for(let[s,a]of Object.entries(t))(a===void 0||Array.isArray(a)&&!a.length||a==="")&&delete i[s];this.raw=i,this.config=D(i),this.dispatchEvent(new CustomEvent("config-changed",{detail:{config:i},bubbles:!0,composed:!0}))}toggle(t,i,s){let a=new Set(this.config[t]);s?a.add(i):a.delete(i),this.change({[t]:[...a]})}render(){let t=l.card;return o`
      <label>${t.title}<input .value=${this.config.title??""} maxlength="60"
        @change=${i=>this.change({title:i.target.value})} /></label>
      <label>${t.count}<input type="number" min="1" max="50" .value=${String(this.config.count)}
        @change=${i=>this.change({count:Number(i.target.value)})} /></label>
      <fieldset><legend>${t.cameras}</legend>
        ${(this.info?.cameras??[]).map(i=>o`<label><input type="checkbox" .checked=${this.config.cameras.includes(i.id)}
          @change=${s=>this.toggle("cameras",i.id,s.target.checked)} />${i.name}</label>`)}
      </fieldset>
      <fieldset><legend>${t.statuses}</legend>
        ${["known","unknown","alert","ignored"].map(i=>o`<label><input type="checkbox" .checked=${this.config.statuses.includes(i)}
          @change=${s=>this.toggle("statuses",i,s.target.checked)} />${l.status[i]}</label>`)}
      </fieldset>
    `}};rt.properties={hass:{attribute:!1},config:{state:!0},info:{state:!0}},rt.styles=[y,v`
      :host { display: grid; gap: 12px; }
      fieldset { border: 1px solid var(--anpr-divider); border-radius: 6px; display: flex; flex-wrap: wrap; gap: 8px 16px; }
      fieldset label { flex-direction: row; align-items: center; gap: 6px; font-size: 0.95rem; }
    `];b("anpr-sightings-card",st);b("anpr-sightings-card-editor",rt);var ft=window;ft.customCards=ft.customCards??[];ft.customCards.some(r=>r.type==="anpr-sightings-card")||ft.customCards.push({type:"anpr-sightings-card",name:l.card.name,description:l.card.description,preview:!0,documentationURL:"https://github.com/anpr-dev/anpr#dashboard-card"});
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
