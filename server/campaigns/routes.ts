// Campaigns, roadshows, expert visits and calendars: pages and /api/v1 side by side.
import { Router } from 'express';
import { organizerOnly, requireActive, requireUser } from '../platform/auth/guards.ts';
import * as itinerary from './itinerary-pages.ts';
import { recordApi, recordPages } from '../platform/http/crud.ts';
import * as api from './api.ts';
import * as calendar from './calendar-pages.ts';
import * as roadshowPage from './roadshow-pages.ts';
import * as roadshowForm from './roadshow-form-pages.ts';
import * as registration from './registration-pages.ts';
import * as visitPage from './visit-pages.ts';
import { addParticipantForm, campaignDef, removeParticipantForm, tagChoicesFragment, tagForm, untagForm } from './campaign-pages.ts';
import { roadshows } from './roadshow-service.ts';
import { visits } from './visit-service.ts';
import { roadshowInput, roadshowPatch, roadshowQuery, visitInput, visitPatch, visitQuery } from './schema.ts';

export default function campaignRoutes(): Router {
  const r = Router();
  const campaign = recordPages(campaignDef);
  const campaignApi = recordApi(campaignDef);
  const roadshowApi = recordApi({ base: '/roadshows', service: roadshows, schemas: { create: roadshowInput, update: roadshowPatch, list: roadshowQuery } });
  const visitApi = recordApi({ base: '/visits', service: visits, schemas: { create: visitInput, update: visitPatch, list: visitQuery } });

  r.get('/itinerary', requireUser, itinerary.itineraryPage);
  r.post('/itinerary/reply', requireActive, itinerary.replyForm);
  r.get('/api/v1/itinerary', requireUser, itinerary.itineraryApi);
  r.post('/api/v1/itinerary/replies', requireActive, itinerary.replyApi);

  r.get('/campaigns', campaign.list);
  r.get('/campaigns/new', organizerOnly, campaign.newForm);
  r.post('/campaigns', organizerOnly, campaign.create);
  r.get('/campaigns/:id', campaign.show);
  r.get('/campaigns/:id/edit', organizerOnly, campaign.editForm);
  r.post('/campaigns/:id', organizerOnly, campaign.update);
  r.get('/campaigns/:id/delete', organizerOnly, campaign.confirmDelete);
  r.post('/campaigns/:id/delete', organizerOnly, campaign.remove);
  r.post('/campaigns/:id/institutions', organizerOnly, addParticipantForm);
  r.post('/campaigns/:id/institutions/:institution/delete', organizerOnly, removeParticipantForm);
  r.get('/campaigns/:id/tag-choices', organizerOnly, tagChoicesFragment);
  r.post('/campaigns/:id/tags', organizerOnly, tagForm);
  r.post('/campaigns/:id/tags/delete', organizerOnly, untagForm);

  r.get('/roadshows', roadshowPage.listPage);
  r.get('/roadshows/new', organizerOnly, roadshowForm.newForm);
  r.get('/roadshows/slot-choices', organizerOnly, roadshowForm.slotChoicesFragment);
  r.post('/roadshows', organizerOnly, roadshowForm.createForm);
  r.get('/roadshows/:id.ics', roadshowPage.icsFile);
  r.get('/roadshows/:id', roadshowPage.showPage);
  r.get('/roadshows/:id/edit', organizerOnly, roadshowForm.editForm);
  r.post('/roadshows/:id', organizerOnly, roadshowForm.updateForm);
  r.get('/roadshows/:id/delete', organizerOnly, roadshowPage.confirmDelete);
  r.post('/roadshows/:id/delete', organizerOnly, roadshowPage.removeForm);
  r.get('/roadshows/:id/agenda', roadshowPage.agendaPage);
  r.get('/roadshows/:id/checkin', organizerOnly, registration.checkinPage);
  r.post('/roadshows/:id/checkin', organizerOnly, registration.checkinForm);
  r.post('/roadshows/:id/registrations', requireActive, registration.registerForm);
  r.post('/roadshows/:id/registrations/:registration/cancel', requireActive, registration.cancelForm);
  r.post('/roadshows/:id/outcomes', organizerOnly, roadshowPage.outcomeForm);

  r.get('/visits', visitPage.listPage);
  r.get('/visits/new', organizerOnly, visitPage.newForm);
  r.post('/visits', organizerOnly, visitPage.createForm);
  r.get('/visits/:id', visitPage.showPage);
  r.get('/visits/:id/edit', organizerOnly, visitPage.editForm);
  r.post('/visits/:id', organizerOnly, visitPage.updateForm);
  r.get('/visits/:id/delete', organizerOnly, visitPage.confirmDelete);
  r.post('/visits/:id/delete', organizerOnly, visitPage.removeForm);
  r.post('/visits/:id/report', requireActive, visitPage.reportForm);
  r.post('/visits/:id/followups', organizerOnly, visitPage.followUpForm);
  r.post('/visits/:id/remark', requireActive, visitPage.remarkForm);

  r.get('/calendar', calendar.calendarPage);
  r.post('/calendar/feed', requireActive, calendar.createFeedForm);
  r.post('/calendar/feed/revoke', requireActive, calendar.revokeFeedForm);
  r.get('/calendar/:token.ics', calendar.feedFile);

  r.get('/api/v1/campaigns', campaignApi.list);
  r.post('/api/v1/campaigns', organizerOnly, campaignApi.create);
  r.get('/api/v1/campaigns/:id', campaignApi.get);
  r.patch('/api/v1/campaigns/:id', organizerOnly, campaignApi.update);
  r.delete('/api/v1/campaigns/:id', organizerOnly, campaignApi.remove);
  r.put('/api/v1/campaigns/:id/institutions/:institution', organizerOnly, api.putParticipant);
  r.delete('/api/v1/campaigns/:id/institutions/:institution', organizerOnly, api.deleteParticipant);
  r.post('/api/v1/campaigns/:id/tags', organizerOnly, api.postTags);
  r.delete('/api/v1/campaigns/:id/tags', organizerOnly, api.deleteTags);

  r.get('/api/v1/roadshows', roadshowApi.list);
  r.post('/api/v1/roadshows', organizerOnly, roadshowApi.create);
  r.get('/api/v1/roadshows/:id', roadshowApi.get);
  r.patch('/api/v1/roadshows/:id', organizerOnly, roadshowApi.update);
  r.delete('/api/v1/roadshows/:id', organizerOnly, roadshowApi.remove);
  r.get('/api/v1/roadshows/:id/registrations', requireActive, api.listRegistrations);
  r.post('/api/v1/roadshows/:id/registrations', requireActive, api.postRegistration);
  r.delete('/api/v1/roadshows/:id/registrations/:registration', requireActive, api.deleteRegistration);
  r.post('/api/v1/roadshows/:id/checkin', organizerOnly, api.postCheckin);
  r.get('/api/v1/roadshows/:id/outcomes', organizerOnly, api.listOutcomes);
  r.post('/api/v1/roadshows/:id/outcomes', organizerOnly, api.postOutcome);

  r.get('/api/v1/visits', visitApi.list);
  r.post('/api/v1/visits', organizerOnly, visitApi.create);
  r.get('/api/v1/visits/:id', visitApi.get);
  r.patch('/api/v1/visits/:id', organizerOnly, visitApi.update);
  r.delete('/api/v1/visits/:id', organizerOnly, visitApi.remove);
  r.post('/api/v1/visits/:id/report', requireActive, api.postReport);
  r.post('/api/v1/visits/:id/followups', organizerOnly, api.postFollowUp);
  r.put('/api/v1/visits/:id/remark', requireActive, api.putRemark);

  r.get('/api/v1/calendar/feed', requireActive, api.getFeed);
  r.post('/api/v1/calendar/feed', requireActive, api.postFeed);
  r.delete('/api/v1/calendar/feed', requireActive, api.deleteFeed);
  return r;
}
