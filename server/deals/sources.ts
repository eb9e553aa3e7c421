// Where a contract or a talent introduction came from: the campaigns and roadshows to choose from on forms.
import { Campaign, Roadshow, type CampaignDoc, type RoadshowDoc } from '../campaigns/model.ts';
import { isoDate } from '../platform/time.ts';

export async function campaignOptions(): Promise<{ value: string; label: string }[]> {
  const docs = await Campaign.find({ deletedAt: null }).sort({ startsOn: -1, _id: -1 }).limit(200).select('name startsOn').lean<CampaignDoc[]>();
  return docs.map((d) => ({ value: String(d._id), label: `${d.name}（${isoDate(d.startsOn).slice(0, 7)}）` }));
}

export async function roadshowOptions(): Promise<{ value: string; label: string }[]> {
  const docs = await Roadshow.find({ deletedAt: null }).sort({ startsAt: -1, _id: -1 }).limit(200).select('title startsAt').lean<RoadshowDoc[]>();
  return docs.map((d) => ({ value: String(d._id), label: `${d.title}（${isoDate(d.startsAt)}）` }));
}
